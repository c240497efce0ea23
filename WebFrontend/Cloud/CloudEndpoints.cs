using OrbitGrains.Cloud;
using OrbitGrains.Shared;
using OrbitGrains.WebFrontend.Hosting;
using OrbitGrains.WebFrontend.Hosting.Access;
using OrbitGrains.WebFrontend.Hosting.Bodies;

namespace OrbitGrains.WebFrontend.Cloud;

/// <summary>
/// The Cloud family's routes (spec: cloud.md): instances and provider keys for a signed-in person, refused in the
/// family's shape (403 "Not authenticated", 401 "Invalid or expired token"). Another user's instance is 404
/// "Instance not found", never 403. The instance proxies are in <see cref="CloudProxyEndpoints"/>.
/// </summary>
public static class CloudEndpoints
{
    public const string InvalidId = "Invalid instance ID";
    public const string NotFoundMessage = "Instance not found";

    public static IEndpointRouteBuilder MapCloud(this IEndpointRouteBuilder app)
    {
        var instances = app.MapGroup("/api").WithTags("Cloud").DisableAntiforgery()
            .RequireAuthorization(OrbitPolicies.Member).WithRefusals(RefusalStyle.Cloud).AddEndpointFilter(RequireKeyRing);
        instances.MapPost("/instances", CreateAsync)
            .WithSummary("Launch an instance (quota MAX_INSTANCES_PER_USER counts launching and running; client_token makes a retry safe)")
            .Produces<InstanceView>(StatusCodes.Status201Created);
        instances.MapGet("/instances", ListAsync).WithSummary("The caller's instances, newest first").Produces<InstanceList>();
        instances.MapGet("/instances/{id}", GetAsync).WithSummary("One instance (400 \"Invalid instance ID\", 404 \"Instance not found\")").Produces<InstanceView>();
        instances.MapGet("/instances/{id}/vnc-password", VncPasswordAsync)
            .WithSummary("The instance's VNC password for its owner's noVNC (never cached, never logged; 404 for another user's instance)")
            .Produces<VncPasswordView>();
        instances.MapPost("/instances/{id}/stop", StopAsync).WithSummary("Stop a running instance").Produces<CloudMessage>();
        instances.MapPost("/instances/{id}/start", StartAsync).WithSummary("Start a stopped instance (counts towards the quota)").Produces<CloudMessage>();
        instances.MapDelete("/instances/{id}", DeleteAsync).WithSummary("Terminate an instance").Produces(StatusCodes.Status204NoContent);

        var keys = app.MapGroup("/api/user").WithTags("Cloud").DisableAntiforgery()
            .RequireAuthorization(OrbitPolicies.Member).WithRefusals(RefusalStyle.Cloud).AddEndpointFilter(RequireKeyRing);
        keys.MapPost("/api-keys", PutKeyAsync).WithSummary("Store (or replace) a provider's API key, encrypted").Produces<CloudMessage>(StatusCodes.Status201Created);
        keys.MapGet("/api-keys", ProvidersAsync).WithSummary("The providers with a stored key (never the keys)").Produces<ApiKeyProviders>();
        keys.MapPut("/api-keys/{provider}", UpdateKeyAsync).WithSummary("Replace a provider's stored API key").Produces<CloudMessage>();
        keys.MapDelete("/api-keys/{provider}", DeleteKeyAsync).WithSummary("Remove a provider's API key").Produces(StatusCodes.Status204NoContent);

        CloudProxyEndpoints.Map(app);
        return app;
    }

    /// <summary>A cluster whose nodes share no ENCRYPTION_KEY keeps no secrets: every Cloud route says so (503).</summary>
    private static async ValueTask<object?> RequireKeyRing(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        context.HttpContext.RequestServices.GetService<ProviderKeyCipher>() is null
            ? DetailErrors.Error(StatusCodes.Status503ServiceUnavailable, "Cloud is unavailable: ENCRYPTION_KEY is not configured on this deployment.")
            : await next(context);

    private static async Task<IResult> CreateAsync(HttpContext http, Body<CreateInstanceRequest> body, IGrainFactory grains)
    {
        var (order, problem) = CloudValidation.Create(body.Value);
        if (problem is not null)
        {
            return problem;
        }

        var outcome = await grains.GetGrain<IUserInstancesGrain>(http.RequiredUser().Id!).Create(order!);
        return outcome.Instance is { } instance
            ? Results.Json(InstanceView.From(instance), statusCode: StatusCodes.Status201Created)
            : DetailErrors.Error(StatusCodes.Status400BadRequest, $"Maximum {outcome.Limit} active instances allowed");
    }

    private static async Task<IResult> ListAsync(HttpContext http, IGrainFactory grains, CloudOptions options) =>
        Results.Json(new InstanceList(
            (await grains.GetGrain<IUserInstancesGrain>(http.RequiredUser().Id!).List()).Select(InstanceView.From).ToArray(),
            options.MaxInstancesPerUser));

    private static async Task<IResult> GetAsync(string id, HttpContext http, IGrainFactory grains)
    {
        if (!IssuedIds.IsCanonical(id))
        {
            return InvalidInstanceId();
        }

        return await grains.GetGrain<IInstanceGrain>(id).Get(http.RequiredUser().Id!) is { } instance
            ? Results.Json(InstanceView.From(instance))
            : NotFound();
    }

    private static async Task<IResult> VncPasswordAsync(string id, HttpContext http, IGrainFactory grains)
    {
        if (!IssuedIds.IsCanonical(id))
        {
            return InvalidInstanceId();
        }

        if (await grains.GetGrain<IInstanceGrain>(id).VncPassword(http.RequiredUser().Id!) is not { } password)
        {
            return NotFound();
        }

        // A secret: no shared cache or browser history keeps it.
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers.Pragma = "no-cache";
        return Results.Json(new VncPasswordView(password));
    }

    private static async Task<IResult> StopAsync(string id, HttpContext http, IGrainFactory grains)
    {
        if (!IssuedIds.IsCanonical(id))
        {
            return InvalidInstanceId();
        }

        return await grains.GetGrain<IInstanceGrain>(id).Stop(http.RequiredUser().Id!) is null
            ? NotFound()
            : Results.Json(new CloudMessage("Instance stop initiated"));
    }

    private static async Task<IResult> StartAsync(string id, HttpContext http, IGrainFactory grains)
    {
        if (!IssuedIds.IsCanonical(id))
        {
            return InvalidInstanceId();
        }

        var outcome = await grains.GetGrain<IUserInstancesGrain>(http.RequiredUser().Id!).Start(id);
        return outcome switch
        {
            { QuotaExceeded: true } => DetailErrors.Error(StatusCodes.Status400BadRequest, $"Maximum {outcome.Limit} active instances allowed"),
            { Instance: null } => NotFound(),
            _ => Results.Json(new CloudMessage("Instance start initiated")),
        };
    }

    private static async Task<IResult> DeleteAsync(string id, HttpContext http, IGrainFactory grains)
    {
        if (!IssuedIds.IsCanonical(id))
        {
            return InvalidInstanceId();
        }

        return await grains.GetGrain<IUserInstancesGrain>(http.RequiredUser().Id!).Delete(id) ? Results.NoContent() : NotFound();
    }

    private static async Task<IResult> PutKeyAsync(HttpContext http, Body<ApiKeyRequest> body, IGrainFactory grains)
    {
        if ((CloudValidation.Provider(body.Value.Provider) ?? CloudValidation.Key(body.Value.ApiKey)) is { } problem)
        {
            return problem;
        }

        await grains.GetGrain<IApiKeyVaultGrain>(http.RequiredUser().Id!).Put(body.Value.Provider!, body.Value.ApiKey!);
        return Results.Json(new CloudMessage($"{body.Value.Provider} API key stored successfully"), statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> ProvidersAsync(HttpContext http, IGrainFactory grains) =>
        Results.Json(new ApiKeyProviders(await grains.GetGrain<IApiKeyVaultGrain>(http.RequiredUser().Id!).Providers()));

    private static async Task<IResult> UpdateKeyAsync(string provider, HttpContext http, Body<ApiKeyUpdateRequest> body, IGrainFactory grains)
    {
        if ((CloudValidation.Provider(provider) ?? CloudValidation.Key(body.Value.ApiKey)) is { } problem)
        {
            return problem;
        }

        var vault = grains.GetGrain<IApiKeyVaultGrain>(http.RequiredUser().Id!);
        if (!(await vault.Providers()).Contains(provider))
        {
            return DetailErrors.Error(StatusCodes.Status404NotFound, $"No API key found for provider: {provider}");
        }

        await vault.Put(provider, body.Value.ApiKey!);
        return Results.Json(new CloudMessage($"{provider} API key updated successfully"));
    }

    private static async Task<IResult> DeleteKeyAsync(string provider, HttpContext http, IGrainFactory grains)
    {
        if (CloudValidation.Provider(provider) is { } problem)
        {
            return problem;
        }

        return await grains.GetGrain<IApiKeyVaultGrain>(http.RequiredUser().Id!).Remove(provider)
            ? Results.NoContent()
            : DetailErrors.Error(StatusCodes.Status404NotFound, $"No API key found for provider: {provider}");
    }

    private static IResult InvalidInstanceId() => DetailErrors.Error(StatusCodes.Status400BadRequest, InvalidId);

    private static IResult NotFound() => DetailErrors.Error(StatusCodes.Status404NotFound, NotFoundMessage);
}
