using Microsoft.Extensions.DependencyInjection;
using OrbitGrains.Relay;
using OrbitGrains.WebFrontend.Relay;

namespace OrbitGrains.Tests.Relay;

/// <summary>The relay across silos: sockets on different front ends, and what happens when a silo goes away.</summary>
[Collection(PostgresCollection.Name)]
public sealed class RelayClusterTests(PostgresServer server)
{
    private static async Task<RunningHost> FrontEndAsync(string dataDir, string database)
    {
        var configuration = RunningHost.IsolatedConfiguration(dataDir, "relay-cluster");
        configuration["ORLEANS_CLUSTERING"] = "postgres";
        configuration["ConnectionStrings:Postgres"] = database;
        configuration["CODEX_REMOTE_WEB_JWT_SECRET"] = "relay-cluster-jwt-secret-0123456789abcdefghij";
        configuration["ADMIN_TOKEN"] = "relay-cluster-admin-token-0123456789abcdefghij";
        configuration["RELAY_HUB_LEASE_SEC"] = "2";
        return await RunningHost.StartFrontEndAsync(configuration,
            configure: TestRelayAuthenticator.Use);
    }

    [Fact]
    public async Task An_anchor_and_a_client_on_different_front_ends_talk_and_the_client_sees_the_anchor_silo_go()
    {
        using var data1 = new TempDirectory();
        using var data2 = new TempDirectory();
        var database = await server.CreateDatabaseAsync("relay");
        var anchorSilo = await FrontEndAsync(data1.Path, database);
        await using var clientSilo = await FrontEndAsync(data2.Path, database);
        await Eventually.TrueAsync(() => clientSilo.Services.GetRequiredService<OrbitGrains.Hosting.SiloReadiness>().ActiveSilos == 2, "two silos");

        var user = RelayHostFixture.NewUser();
        await using var client = await OrbitSocket.ConnectAsync(clientSilo.BaseAddress, $"/ws/client?token={TestRelayAuthenticator.ClientToken(user)}&clientId=tab");
        await client.NextOfTypeAsync("orbit.hello");
        var anchor = await OrbitSocket.ConnectAsync(anchorSilo.BaseAddress, $"/ws/anchor?token={TestRelayAuthenticator.AnchorToken(user)}");
        await anchor.NextOfTypeAsync("orbit.hello");
        await anchor.SendAsync(new { type = "anchor.hello", hostname = "far", platform = "linux", anchorId = "far-anchor" });
        await client.NextOfTypeAsync("orbit.anchor-connected");

        await anchor.SendAsync(new { type = "orbit.subscribe", threadId = "t" });
        await anchor.NextOfTypeAsync("orbit.subscribed");
        await client.SendAsync(new { type = "orbit.subscribe", threadId = "t" });
        await client.NextOfTypeAsync("orbit.relay-state");
        Assert.Equal("t", (string?)(await anchor.NextOfTypeAsync("orbit.client-subscribed"))["threadId"]);

        await client.SendAsync(new { id = 1, method = "turn/start", @params = new { threadId = "t" } });
        Assert.Equal(1, (int)(await anchor.NextAsync(f => (string?)f["method"] == "turn/start"))["id"]!);
        await anchor.SendAsync(new { id = 1, result = new { turn = new { id = "turn-9" } } });
        Assert.Equal("turn-9", (string?)(await client.NextAsync(f => f["result"] is not null))["result"]!["turn"]!["id"]);
        await anchor.SendAsync(new { method = "turn/started", @params = new { threadId = "t", turn = new { id = "turn-9" } } });
        await client.NextAsync(f => (string?)f["method"] == "turn/started");

        await anchorSilo.DisposeAsync();

        var gone = await client.NextOfTypeAsync("orbit.anchor-disconnected");
        Assert.Equal("far-anchor", (string?)gone["anchorId"]);
        var interrupted = await client.NextAsync(f => (string?)f["method"] == "turn/interrupted");
        Assert.Equal("turn-9", (string?)interrupted["params"]!["turn"]!["id"]);
        await anchor.DisposeAsync();
    }

    [Fact]
    public async Task Sockets_of_a_hub_that_stops_renewing_its_lease_are_dropped_within_two_leases()
    {
        using var data = new TempDirectory();
        await using var host = await FrontEndAsync(data.Path, await server.CreateDatabaseAsync("lease"));
        var user = RelayHostFixture.NewUser();
        var relay = host.Grains.GetGrain<IUserRelayGrain>(user);
        var silentHub = host.Services.GetRequiredService<IGrainFactory>().CreateObjectReference<IRelayHub>(new SilentHub());
        var silo = host.Services.GetRequiredService<Orleans.Runtime.ILocalSiloDetails>().SiloAddress;
        var hubId = RelayHubIds.New(silo);

        // A hub on a silo that is about to vanish: it registers an anchor, renews once with a 2 s lease, then never again.
        await relay.Connect(new RelayConnection("a-ghost", RelayRole.Anchor, null, hubId), silentHub);
        await relay.Receive("a-ghost", """{"type":"anchor.hello","anchorId":"ghost"}""");
        var registry = host.Grains.GetGrain<IRelayHubRegistryGrain>(IRelayHubRegistryGrain.Key);
        await registry.Renew(new RelayHubLease(hubId, silentHub, silo, TimeSpan.FromSeconds(2)), [user], [], complete: true);
        Assert.Contains(await relay.ListAnchors(), a => a.Id == "ghost");

        var started = DateTime.UtcNow;
        await Eventually.TrueAsync(async () => (await relay.ListAnchors()).Length == 0, "the ghost anchor is dropped", TimeSpan.FromSeconds(20));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(4) + TimeSpan.FromSeconds(2), "dropped within two lease periods (and the registry's 1 s check)");
        Assert.DoesNotContain(hubId, await registry.Hubs());
    }

    [Fact]
    public async Task Renewing_presence_is_one_call_per_hub_and_idle_users_relays_get_no_calls()
    {
        using var data = new TempDirectory();
        var calls = new CallCounter();
        var configuration = RunningHost.IsolatedConfiguration(data.Path, "relay-presence");
        configuration["RELAY_HUB_LEASE_SEC"] = "3";
        await using var host = await RunningHost.StartFrontEndAsync(configuration, configure: builder =>
        {
            TestRelayAuthenticator.Use(builder);
            builder.Services.AddSingleton<IIncomingGrainCallFilter>(calls);
        });

        var sockets = new List<OrbitSocket>();
        for (var i = 0; i < 40; i++)
        {
            var socket = await OrbitSocket.ConnectAsync(host.BaseAddress, $"/ws/client?token={TestRelayAuthenticator.ClientToken(RelayHostFixture.NewUser())}&clientId=tab");
            await socket.NextOfTypeAsync("orbit.hello");
            sockets.Add(socket);
        }

        var hub = host.Services.GetRequiredService<RelayConnectionHub>();
        var registry = host.Grains.GetGrain<IRelayHubRegistryGrain>(IRelayHubRegistryGrain.Key);
        await Eventually.TrueAsync(async () => (await registry.Hubs()).Contains(hub.HubId), "the hub registered");

        // Three renewal periods of 40 idle users: three calls to the registry, none to any user's relay.
        var relayCalls = calls.Count(typeof(IUserRelayGrain));
        var renewals = calls.Count(typeof(IRelayHubRegistryGrain));
        await Eventually.TrueAsync(() => calls.Count(typeof(IRelayHubRegistryGrain)) >= renewals + 3, "three more renewals", TimeSpan.FromSeconds(30));
        Assert.Equal(relayCalls, calls.Count(typeof(IUserRelayGrain)));

        foreach (var socket in sockets)
        {
            await socket.DisposeAsync();
        }
    }

    /// <summary>Counts grain calls per interface.</summary>
    private sealed class CallCounter : IIncomingGrainCallFilter
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<Type, int> _counts = new();

        public int Count(Type grainInterface) => _counts.GetValueOrDefault(grainInterface);

        public Task Invoke(IIncomingGrainCallContext context)
        {
            _counts.AddOrUpdate(context.InterfaceMethod.DeclaringType!, 1, (_, n) => n + 1);
            return context.Invoke();
        }
    }

    private sealed class SilentHub : IRelayHub
    {
        public Task Deliver(string userId, string[] connectionIds, string frame) => Task.CompletedTask;

        public Task DeliverMany(string userId, RelayDelivery[] deliveries) => Task.CompletedTask;

        public Task Close(string connectionId, int closeStatus, string reason) => Task.CompletedTask;
    }
}
