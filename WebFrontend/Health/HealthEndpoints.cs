using OrbitGrains.Hosting;
using OrbitGrains.WebFrontend.Accounts;

namespace OrbitGrains.WebFrontend.Health;

/// <summary>Liveness, readiness and the product health document; none of them needs credentials.</summary>
public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        var health = app.MapGroup("").WithTags("Health").AllowAnonymous();

        // One document for every family that names /health: Orbit reads authMode/clients/anchors,
        // the signaling clients read service/active_connections.
        health.MapGet("/health", (ConnectionCounters counters, SiloReadiness silo, OrbitClusterSettings settings, AccountsOptions accounts) =>
            Results.Json(new HealthDocument(
                Status: "ok",
                Service: "orbitgrains",
                AuthMode: accounts.Mode == AuthMode.Passkey ? "passkey" : "basic",
                Clients: counters[ConnectionKind.Client],
                Anchors: counters[ConnectionKind.Anchor],
                ActiveConnections: counters.Total,
                Cluster: new ClusterHealth(
                    Mode: settings.Mode == ClusteringMode.Postgres ? "postgres" : "localhost",
                    Silo: silo.SiloAddress,
                    Ready: silo.IsActive,
                    ActiveSilos: silo.ActiveSilos))))
            .WithSummary("Product health with live counts");

        health.MapGet("/healthz", (TimeProvider clock) =>
                Results.Json(new Liveness("healthy", clock.GetUtcNow())))
            .WithSummary("Liveness");

        health.MapGet("/readyz", (SiloReadiness silo, TimeProvider clock) => silo.IsActive
                ? Results.Json(new Readiness("ready", clock.GetUtcNow()))
                : Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not ready",
                    detail: "The silo has not joined the cluster yet, or is shutting down."))
            .WithSummary("Readiness: 200 once this node's silo is active in the cluster, 503 before and while stopping");
        return app;
    }
}

public sealed record HealthDocument(
    string Status, string Service, string AuthMode, long Clients, long Anchors,
    [property: System.Text.Json.Serialization.JsonPropertyName("active_connections")] long ActiveConnections,
    ClusterHealth Cluster);

public sealed record ClusterHealth(string Mode, string Silo, bool Ready, int ActiveSilos);

public sealed record Liveness(string Status, DateTimeOffset Timestamp);

public sealed record Readiness(string Status, DateTimeOffset Timestamp);
