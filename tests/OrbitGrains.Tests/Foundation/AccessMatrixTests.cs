using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OrbitGrains.Tests.Accounts;

namespace OrbitGrains.Tests.Foundation;

/// <summary>
/// The access matrix, generated from the running product's own endpoint list: every endpoint is called with every kind
/// of caller (anonymous, member, another member, operator, admin, and every other credential kind, right or wrong)
/// and must be reached or refused exactly as its access class says. An endpoint that declares no policy, or that is
/// missing from <see cref="Classes"/>, fails the test: new routes are decided on, never public by accident.
/// </summary>
public sealed partial class AccessMatrixTests : IAsyncLifetime
{
    private const string AdminToken = "matrix-admin-token-0123456789abcdefghijklmno";
    private const string StaticToken = "matrix-static-token-0123456789abcdefghijklmn";
    private const string ControlPlane = "matrix-control-plane-0123456789abcdefghijklm";

    private enum Access { Public, Authenticated, Member, Operator, Admin, WebSession, Anchor, UserToken, ControlPlane, AgentToken }

    private enum Caller { Anonymous, Member, OtherMember, Operator, AdminPerson, UserToken, AdminToken, AnchorToken, RoomToken, StaticToken, ControlPlane, AgentToken, ForgedJwt, Garbage }

    /// <summary>Every route of the product and who may reach it. A new route must be added here, deliberately.</summary>
    private static readonly Dictionary<string, Access> Classes = new()
    {
        ["GET /openapi/{documentName}.json"] = Access.Public,
        ["GET /docs/scalar.js"] = Access.Public,
        ["GET /docs/scalar.aspnetcore.js"] = Access.Public,
        ["GET /docs/favicon.svg"] = Access.Public,
        ["GET /docs/{documentName?}"] = Access.Public,
        ["GET /admin/login"] = Access.Public,
        ["POST /admin/login"] = Access.Public,
        ["POST /admin/logout"] = Access.Public,
        ["GET /health"] = Access.Public,
        ["GET /healthz"] = Access.Public,
        ["GET /readyz"] = Access.Public,
        ["GET /api/v1/healthz"] = Access.Public,
        ["GET /"] = Access.Public,
        ["GET /status"] = Access.Public,
        ["GET {*path:nonfile}"] = Access.Public,
        ["* /ws"] = Access.Public,
        ["GET /device"] = Access.Public,
        ["GET /auth/session"] = Access.Public,
        ["GET /auth/config"] = Access.Public,
        ["POST /auth/refresh"] = Access.Public,
        ["POST /auth/logout"] = Access.Public,
        ["POST /auth/register/basic"] = Access.Public,
        ["POST /auth/login/basic"] = Access.Public,
        ["POST /auth/register/options"] = Access.Public,
        ["POST /auth/register/verify"] = Access.Public,
        ["POST /auth/login/options"] = Access.Public,
        ["POST /auth/login/verify"] = Access.Public,
        ["POST /auth/device/code"] = Access.Public,
        ["POST /auth/device/token"] = Access.Public,
        ["POST /auth/device/refresh"] = Access.Public,
        ["POST /api/auth/signup"] = Access.Public,
        ["POST /api/auth/login"] = Access.Public,
        ["POST /api/auth/refresh"] = Access.Public,
        ["POST /v1/auth/signup"] = Access.Public,
        ["POST /v1/auth/login"] = Access.Public,
        ["POST /auth/device/authorise"] = Access.Member,
        ["GET /api/auth/me"] = Access.Member,
        ["POST /api/auth/logout"] = Access.Member,
        ["GET /auth/passkeys"] = Access.WebSession,
        ["POST /auth/user-token"] = Access.WebSession,
        ["DELETE /auth/user-token"] = Access.WebSession,
        ["GET /auth/sessions"] = Access.WebSession,
        ["DELETE /auth/sessions/{id}"] = Access.WebSession,
        ["POST /auth/sessions/revoke-others"] = Access.WebSession,
        ["GET /relay/artifacts"] = Access.WebSession,
        ["GET /ws/client"] = Access.WebSession,
        ["GET /ws/anchor"] = Access.Anchor,
        ["POST /v1/user-token/issue"] = Access.ControlPlane,
        ["POST /v1/user-token/rotate"] = Access.UserToken,
        ["POST /v1/user-token/revoke"] = Access.UserToken,
        ["POST /api/login"] = Access.Authenticated,
        ["POST /api/session"] = Access.Authenticated,
        ["GET /api/turn"] = Access.Authenticated,
        ["GET /api/rooms"] = Access.Authenticated,
        ["GET /api/admin/users/"] = Access.Admin,
        ["GET /api/admin/users/{id}"] = Access.Admin,
        ["POST /api/admin/users/"] = Access.Admin,
        ["PUT /api/admin/users/{id}/roles"] = Access.Admin,
        ["POST /api/admin/users/{id}/disable"] = Access.Admin,
        ["POST /api/admin/users/{id}/enable"] = Access.Admin,
        ["POST /api/admin/invites/"] = Access.Admin,
        ["GET /api/admin/invites/"] = Access.Admin,
        ["DELETE /api/admin/invites/{id}"] = Access.Admin,
        ["GET /api/admin/rooms"] = Access.Admin,
        ["POST /api/admin/rooms/{sessionId}/estop"] = Access.Admin,
        ["GET /api/admin/audit"] = Access.Admin,
        ["POST /api/admin/rooms/{sessionId}/recording/start"] = Access.Admin,
        ["POST /api/admin/rooms/{sessionId}/recording/stop"] = Access.Admin,
        ["GET /api/admin/rooms/{sessionId}/recordings"] = Access.Admin,
        ["GET /api/admin/recordings/{recordingId}"] = Access.Admin,
        // The Prometheus scrape, on the product's port when METRICS_PORT is unset (the exporter maps every method).
        ["* /metrics"] = Access.Admin,
        ["GET /api/v1/config/operator"] = Access.Operator,
        ["POST /api/v1/jobs"] = Access.Operator,
        ["GET /api/v1/jobs"] = Access.Operator,
        ["GET /api/v1/jobs/{id}"] = Access.Operator,
        ["POST /api/v1/jobs/{id}/approve"] = Access.Operator,
        ["POST /api/v1/jobs/{id}/reject"] = Access.Operator,
        ["POST /api/v1/jobs/{id}/resume"] = Access.Operator,
        ["POST /api/v1/jobs/{id}/cancel"] = Access.Operator,
        ["GET /api/v1/jobs/{id}/gates/status"] = Access.Operator,
        ["GET /api/v1/jobs/{id}/events"] = Access.Operator,
        ["GET /api/v1/jobs/{id}/events/stream"] = Access.Operator,
        ["GET /api/v1/jobs/{id}/artifacts"] = Access.Operator,
        ["POST /api/v1/config/validate"] = Access.Operator,
        ["POST /api/v1/compile-brief"] = Access.Operator,
        ["GET /api/v1/patches/types"] = Access.Operator,
        ["GET /api/v1/jobs/{id}/gates/{stage}/decision"] = Access.Operator,
        ["GET /api/v1/jobs/{id}/gates/decisions"] = Access.Operator,
        ["POST /api/v1/jobs/{id}/patches/{stage}/apply"] = Access.Operator,
        // The streams take a stream ticket too (PipelineTicketTests); by every other credential they are operator routes.
        ["GET /api/v1/events/stream"] = Access.Operator,
        ["POST /api/v1/jobs/{id}/events/ticket"] = Access.Operator,
        ["POST /api/v1/events/ticket"] = Access.Operator,
        ["POST /api/instances"] = Access.Member,
        ["GET /api/instances"] = Access.Member,
        ["GET /api/instances/{id}"] = Access.Member,
        ["GET /api/instances/{id}/vnc-password"] = Access.Member,
        ["POST /api/instances/{id}/stop"] = Access.Member,
        ["POST /api/instances/{id}/start"] = Access.Member,
        ["DELETE /api/instances/{id}"] = Access.Member,
        ["POST /api/user/api-keys"] = Access.Member,
        ["GET /api/user/api-keys"] = Access.Member,
        ["PUT /api/user/api-keys/{provider}"] = Access.Member,
        ["DELETE /api/user/api-keys/{provider}"] = Access.Member,
        // The proxies accept the socket and authenticate `?token=` inside, so a refusal is a close code (1008).
        ["GET /api/instances/{id}/vnc"] = Access.Public,
        ["GET /api/instances/{id}/cloudbot"] = Access.Public,
        ["GET /v1/agents"] = Access.Member,
        ["POST /v1/agents"] = Access.Member,
        ["GET /v1/agents/{id}"] = Access.Member,
        ["PATCH /v1/agents/{id}/status"] = Access.Member,
        ["POST /v1/agents/{id}/revoke-token"] = Access.Member,
        ["GET /v1/agents/{id}/events"] = Access.Member,
        ["POST /v1/agents/{id}/token"] = Access.Member,
        ["GET /v1/events"] = Access.Member,
        ["GET /v1/inbox"] = Access.Member,
        ["POST /v1/inbox/{id}/decision"] = Access.Member,
        ["GET /v1/spend"] = Access.Member,
        ["PATCH /v1/spend/budget"] = Access.Member,
        // The live feed takes a stream ticket too (AgentsStreamTicketTests); by every other credential it is a member route.
        ["GET /v1/stream"] = Access.Member,
        ["POST /v1/stream/ticket"] = Access.Member,
        ["POST /v1/events"] = Access.AgentToken,
        ["GET /v1/commands"] = Access.AgentToken,
        ["GET /v1/commands/listen"] = Access.AgentToken,
        ["POST /v1/commands/{id}/ack"] = Access.AgentToken,
    };

    /// <summary>The dashboard's own many routes are one class: admin.</summary>
    private static Access? ClassOf(string key) =>
        Classes.TryGetValue(key, out var access) ? access : key.StartsWith("GET /dashboard/", StringComparison.Ordinal) ? Access.Admin : null;

    private static readonly Dictionary<Access, Caller[]> Reaches = new()
    {
        [Access.Public] = Enum.GetValues<Caller>(),
        [Access.Authenticated] = [Caller.Member, Caller.OtherMember, Caller.Operator, Caller.AdminPerson, Caller.UserToken, Caller.AdminToken, Caller.RoomToken, Caller.StaticToken],
        [Access.Member] = [Caller.Member, Caller.OtherMember, Caller.Operator, Caller.AdminPerson, Caller.UserToken],
        [Access.Operator] = [Caller.Operator, Caller.AdminPerson, Caller.AdminToken],
        [Access.Admin] = [Caller.AdminPerson, Caller.AdminToken],
        [Access.WebSession] = [Caller.Member, Caller.OtherMember, Caller.Operator, Caller.AdminPerson],
        [Access.Anchor] = [Caller.AnchorToken],
        [Access.UserToken] = [Caller.UserToken],
        [Access.ControlPlane] = [Caller.ControlPlane],
        [Access.AgentToken] = [Caller.AgentToken],
    };

    /// <summary>Routes that end the credential they are called with: each call gets a credential of its own.</summary>
    private static readonly HashSet<string> Consuming = ["POST /auth/logout", "POST /api/auth/logout", "POST /v1/user-token/rotate", "POST /v1/user-token/revoke"];

    /// <summary>What the authentication layer answers when it refuses (every family's wording); anything else was the endpoint's own answer.</summary>
    private static readonly HashSet<string> LayerRefusals =
    [
        "Unauthorised", "Forbidden", "Not authenticated", "Invalid or expired token", "Not enough permissions", "Invalid authentication token",
        "Not enough permissions: the operator or admin role is required", "Missing Authorization header.", "Authorization header must be Bearer <token>.",
        "Invalid user token.", "Invalid or missing X-Control-Plane-Token.", "This credential may not do that.", "A valid bearer token is required.",
        "This credential is not allowed to do that.", "Authentication is required: send a valid Authorization: Bearer token.",
        "Missing X-Agent-Token header.", "Invalid or revoked agent token.",
    ];

    private readonly TempDirectory _data = new("matrix");
    private RunningHost _host = null!;
    private Dictionary<Caller, string?> _callers = null!;

    public async Task InitializeAsync()
    {
        var configuration = RunningHost.IsolatedConfiguration(_data.Path, "matrix");
        configuration["ADMIN_TOKEN"] = AdminToken;
        configuration["AUTH_TOKENS"] = StaticToken;
        configuration["CONTROL_PLANE_TOKEN"] = ControlPlane;
        _host = await RunningHost.StartFrontEndAsync(configuration);
        _callers = [];
        foreach (var caller in Enum.GetValues<Caller>())
        {
            _callers[caller] = await MintAsync(caller);
        }
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public void Every_endpoint_declares_its_policy_or_that_it_is_public_and_has_an_access_class()
    {
        var problems = Endpoints().Where(e => !e.Declared || ClassOf(e.Key) is null)
            .Select(e => $"{e.Key}: {(e.Declared ? "no access class in AccessMatrixTests.Classes" : "declares neither a policy nor AllowAnonymous")}")
            .ToArray();
        Assert.True(problems.Length == 0, "Endpoints without a decided access:\n" + string.Join("\n", problems));
        Assert.True(Endpoints().Count > 60, "the endpoint list was read from the running product");
    }

    [Fact]
    public async Task Every_endpoint_is_reached_or_refused_by_every_kind_of_caller_as_its_class_says()
    {
        var wrong = new List<string>();
        foreach (var endpoint in Endpoints().Where(e => ClassOf(e.Key) is not null))
        {
            var access = ClassOf(endpoint.Key)!.Value;
            foreach (var caller in Enum.GetValues<Caller>())
            {
                var credential = Consuming.Contains(endpoint.Key) ? await MintAsync(caller) : _callers[caller];
                var (status, reached, text) = await CallAsync(endpoint, caller, credential);
                var expected = Reaches[access].Contains(caller);
                if (reached != expected)
                {
                    wrong.Add($"{endpoint.Key} as {caller}: expected {(expected ? "reached" : "refused")}, got {(int)status} {text}");
                }
            }
        }

        Assert.True(wrong.Count == 0, $"{wrong.Count} cells of the access matrix are wrong:\n" + string.Join("\n", wrong));
    }

    private sealed record Endpoint(string Key, string Method, string Path, bool Declared);

    private List<Endpoint> Endpoints() => _host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
        .Select(e =>
        {
            var method = e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.FirstOrDefault() ?? "*";
            var pattern = e.RoutePattern.RawText ?? "";
            var declared = e.Metadata.GetMetadata<IAllowAnonymous>() is not null || e.Metadata.GetOrderedMetadata<IAuthorizeData>().Count > 0;
            return new Endpoint($"{method} {pattern}", method == "*" ? "GET" : method, Concrete(pattern), declared);
        })
        .ToList();

    /// <summary>A path for a route pattern: each parameter gets a value of a plausible shape.</summary>
    private static string Concrete(string pattern) => RouteParameter().Replace(pattern, m => m.Value switch
    {
        "{page:int}" => "1",
        "{documentName}" or "{documentName?}" => "v1",
        _ => Guid.NewGuid().ToString("N"),
    });

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteParameter();

    private async Task<(HttpStatusCode Status, bool Reached, string Text)> CallAsync(Endpoint endpoint, Caller caller, string? credential)
    {
        using var request = new HttpRequestMessage(new HttpMethod(endpoint.Method), endpoint.Path);
        request.Headers.Accept.ParseAdd("application/json");
        if (endpoint.Method is "POST" or "PUT" or "PATCH")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        if (caller == Caller.ControlPlane)
        {
            request.Headers.Add("X-Control-Plane-Token", credential);
        }
        else if (caller == Caller.AgentToken)
        {
            request.Headers.Add("X-Agent-Token", credential);
        }
        else if (credential is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", credential);
        }

        using var response = await _host.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var status = response.StatusCode;
        if (status is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden))
        {
            return (status, true, "");
        }

        var text = await response.Content.ReadAsStringAsync();
        var message = text;
        if (response.Content.Headers.ContentType?.MediaType?.Contains("json") == true && JsonNode.Parse(text) is JsonObject body)
        {
            message = (string?)body["error"] ?? (string?)body["detail"] ?? text;
        }

        return (status, !LayerRefusals.Contains(message), message);
    }

    /// <summary>A fresh credential of the given kind (people and their tokens are new accounts each time).</summary>
    private async Task<string?> MintAsync(Caller caller)
    {
        var api = new AccountsApi(_host.Http);
        var admin = new AdminApi(_host.Http, AdminToken);
        switch (caller)
        {
            case Caller.Anonymous:
                return null;
            case Caller.Member or Caller.OtherMember:
                return (await api.RegisterAsync(AccountsApi.NewName("matrix"))).Token;
            case Caller.Operator or Caller.AdminPerson:
                var person = await api.RegisterAsync(AccountsApi.NewName("matrix"));
                await admin.SetRolesAsync(person.UserId, caller == Caller.Operator ? "operator" : "admin");
                return person.Token;
            case Caller.UserToken:
                var signup = await api.PostJsonAsync("/v1/auth/signup", new { email = $"{Guid.NewGuid():N}"[..12] + "@example.com", password = "matrix password" });
                return (string)(await AccountsApi.ExpectJsonAsync(signup, HttpStatusCode.Created))["userToken"]!;
            case Caller.AdminToken:
                return AdminToken;
            case Caller.AnchorToken:
                return (string)(await api.SignInAnchorAsync((await api.RegisterAsync(AccountsApi.NewName("anchor"))).Token))["anchorAccessToken"]!;
            case Caller.RoomToken:
                using (var login = new HttpRequestMessage(HttpMethod.Post, "/api/login") { Content = JsonContent.Create(new { role = "operator" }) })
                {
                    login.Headers.Authorization = new AuthenticationHeaderValue("Bearer", StaticToken);
                    return (string)(await AccountsApi.ExpectJsonAsync(await _host.Http.SendAsync(login), HttpStatusCode.OK))["token"]!;
                }

            case Caller.StaticToken:
                return StaticToken;
            case Caller.ControlPlane:
                return ControlPlane;
            case Caller.AgentToken:
                return (await new Agents.AgentsApi(_host.Http).CreateAgentAsync(await new Agents.AgentsApi(_host.Http).SignUpAsync())).Token;
            case Caller.ForgedJwt:
                // Well-formed and signed, but with a key the product never had.
                return new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken(new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
                {
                    Issuer = "codex-remote-auth",
                    Audience = "codex-remote-web",
                    Claims = new Dictionary<string, object> { ["sub"] = Guid.NewGuid().ToString("N"), ["jti"] = Guid.NewGuid().ToString("N") },
                    SigningCredentials = new(new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey(new byte[32]), "HS256"),
                });
            default:
                return "not-a-token-of-any-kind";
        }
    }
}
