using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using OrbitGrains.WebFrontend.Hosting.Bodies;

namespace OrbitGrains.Tests.Foundation;

/// <summary>
/// The OpenAPI document names each request body's members as its route reads them: a client generated from
/// /openapi/v1.json sends `client_token`, not `clientToken`, which the Cloud routes would silently ignore.
/// </summary>
public sealed class OpenApiBodiesTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private RunningHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await RunningHost.StartFrontEndAsync(RunningHost.IsolatedConfiguration(_data.Path, "openapi"));

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task Every_request_body_schema_names_the_members_its_reader_binds()
    {
        var document = JsonNode.Parse(await _host.Http.GetStringAsync("/openapi/v1.json"))!;
        var checkedBodies = new Dictionary<string, string[]>();
        var mismatches = new List<string>();
        var read = new HashSet<string>();
        foreach (var (method, path, type) in RequestBodies())
        {
            read.Add($"{method} {path}");
            var reader = ReaderOf(type);
            if (reader.Kind != JsonTypeInfoKind.Object)
            {
                // Read whole by a converter (a pipeline patch is the JSON object itself): no members to name.
                continue;
            }

            var schema = Resolve(document, document["paths"]?[path]?[method.ToLowerInvariant()]?["requestBody"]?["content"]?["application/json"]?["schema"]);
            Assert.True(schema is not null, $"{method} {path} reads {type.Name} but the document describes no JSON body for it");
            var documented = schema["properties"]?.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal).ToArray() ?? [];
            var bound = reader.Properties.Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();
            if (!documented.SequenceEqual(bound))
            {
                mismatches.Add($"{method} {path} ({type.Name}): documented [{string.Join(", ", documented)}], read [{string.Join(", ", bound)}]");
            }

            checkedBodies[$"{method} {path}"] = documented;
        }

        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
        // Every JSON body the document describes is one of those read (and so checked) above.
        var documentedBodies =
            from path in document["paths"]!.AsObject()
            from operation in path.Value!.AsObject()
            where operation.Value?["requestBody"]?["content"]?["application/json"] is not null
            select $"{operation.Key.ToUpperInvariant()} {path.Key}";
        Assert.Empty(documentedBodies.Except(read));
        // The Cloud bodies and the other snake_case families are among those checked, with their multi-word members.
        Assert.Equal(["api_keys", "client_token", "instance_type", "name"], checkedBodies["POST /api/instances"]);
        Assert.Equal(["api_key", "provider"], checkedBodies["POST /api/user/api-keys"]);
        Assert.Equal(["api_key"], checkedBodies["PUT /api/user/api-keys/{provider}"]);
        Assert.Equal(["name", "role", "session_id"], checkedBodies["POST /api/login"]);
        Assert.Equal(["brief", "brief_config", "intent", "meta", "slug"], checkedBodies["POST /api/v1/jobs"]);
        Assert.Equal(["refresh_token"], checkedBodies["POST /api/auth/refresh"]);
    }

    /// <summary>Every route that reads a <see cref="Body{T}"/>: its method, its path as the document writes it, and the record.</summary>
    private IEnumerable<(string Method, string Path, Type Type)> RequestBodies()
    {
        var endpoints = ((IEndpointRouteBuilder)_host.App).DataSources.SelectMany(source => source.Endpoints).OfType<RouteEndpoint>();
        foreach (var endpoint in endpoints)
        {
            if (endpoint.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType is not { } type
                || !type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IRequestBody<>)))
            {
                continue;
            }

            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [])
            {
                yield return (method, DocumentPath(endpoint.RoutePattern), type);
            }
        }
    }

    /// <summary>The record's own source-generated type information: the names <see cref="RequestBodies"/> binds.</summary>
    private static JsonTypeInfo ReaderOf(Type type) =>
        (JsonTypeInfo)type.GetProperty("JsonTypeInfo", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;

    /// <summary>`/api/instances/{id}`: the route with its parameters' names only, as OpenAPI paths are written.</summary>
    private static string DocumentPath(RoutePattern pattern) =>
        "/" + string.Join("/", pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternParameterPart parameter => "{" + parameter.Name + "}",
            RoutePatternSeparatorPart separator => separator.Content,
            _ => "",
        }))));

    private static JsonNode? Resolve(JsonNode document, JsonNode? schema) =>
        (string?)schema?["$ref"] is { } reference
            ? document["components"]?["schemas"]?[reference.Split('/')[^1]]
            : schema;
}
