using Microsoft.Extensions.DependencyInjection;
using OrbitGrains.WebFrontend.Relay;

namespace OrbitGrains.Tests.Relay;

/// <summary>One real front end shared by the relay protocol tests; each test uses its own users, so they never meet.</summary>
public sealed class RelayHostFixture : IAsyncLifetime
{
    private readonly TempDirectory _data = new();

    public RunningHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var configuration = RunningHost.IsolatedConfiguration(_data.Path, "relay");
        configuration["RELAY_MAX_FRAME_BYTES"] = (256 * 1024).ToString();
        configuration["RELAY_MESSAGES_PER_SECOND"] = "200";
        configuration["RELAY_MAX_QUEUED_BYTES"] = (1024 * 1024).ToString();
        Host = await RunningHost.StartFrontEndAsync(configuration,
            configure: TestRelayAuthenticator.Use);
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        _data.Dispose();
    }

    public static string NewUser() => $"u{Guid.NewGuid():N}";

    public async Task<OrbitSocket> ClientAsync(string user, string? clientId = null)
    {
        var socket = await OrbitSocket.ConnectAsync(Host.BaseAddress,
            $"/ws/client?token={TestRelayAuthenticator.ClientToken(user)}&clientId={clientId ?? Guid.NewGuid().ToString("N")}");
        var hello = await socket.NextOfTypeAsync("orbit.hello");
        Assert.Equal("client", (string?)hello["role"]);
        return socket;
    }

    /// <summary>An anchor that said hello, seen as connected by its user's relay.</summary>
    public async Task<OrbitSocket> AnchorAsync(string user, string anchorId, OrbitSocket? observer = null)
    {
        var socket = await OrbitSocket.ConnectAsync(Host.BaseAddress, $"/ws/anchor?token={TestRelayAuthenticator.AnchorToken(user)}");
        var hello = await socket.NextOfTypeAsync("orbit.hello");
        Assert.Equal("anchor", (string?)hello["role"]);
        await socket.SendAsync(new { type = "anchor.hello", ts = DateTimeOffset.UtcNow, hostname = $"{anchorId}.local", platform = "linux", anchorId });
        if (observer is not null)
        {
            await observer.NextAsync(f => (string?)f["type"] == "orbit.anchor-connected" && (string?)f["anchor"]!["id"] == anchorId);
        }
        else
        {
            await Eventually.TrueAsync(async () => (await Host.Grains.GetGrain<OrbitGrains.Relay.IUserRelayGrain>(user).ListAnchors()).Any(a => a.Id == anchorId),
                $"anchor {anchorId} is online");
        }

        return socket;
    }
}

[CollectionDefinition(Name)]
public sealed class RelayCollection : ICollectionFixture<RelayHostFixture>
{
    public const string Name = "Relay host";
}
