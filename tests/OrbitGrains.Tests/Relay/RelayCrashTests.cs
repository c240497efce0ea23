using System.Net.WebSockets;
using OrbitGrains.Tests.Accounts;

namespace OrbitGrains.Tests.Relay;

/// <summary>
/// Real front-end processes on PostgreSQL, one killed with SIGKILL while a user's anchor and client talk through
/// them: the survivors correct presence, a request waiting on a dead anchor is answered `anchor_offline`, and a client
/// whose front end died reconnects to the other and replays what the relay stored (docs/relay.md: all but the last
/// second before the crash).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class RelayCrashTests(PostgresServer server, Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly TimeSpan Ready = TimeSpan.FromMinutes(3);

    private static readonly Dictionary<string, string> Settings = new()
    {
        ["RELAY_HUB_LEASE_SEC"] = "3",
        ["ANONYMOUS_CREATIONS_PER_ADDRESS"] = "1000",
    };

    [Fact]
    public async Task Killing_the_anchors_front_end_answers_its_pending_request_anchor_offline_and_lists_it_gone()
    {
        var (cluster, survivor, doomed) = await StartTwoFrontEndsAsync("relaycrash");
        await using var _ = cluster;

        var (webToken, anchorToken) = await SignUpAsync(survivor);
        // The client comes first, on the survivor: the user's relay lives there (it is placed where its first socket is).
        await using var client = await OrbitSocket.ConnectAsync(survivor.HttpAddress, $"/ws/client?token={webToken}&clientId=tab");
        await client.NextOfTypeAsync("orbit.hello");
        var anchor = await OrbitSocket.ConnectAsync(doomed.HttpAddress, $"/ws/anchor?token={anchorToken}");
        await anchor.NextOfTypeAsync("orbit.hello");
        await anchor.SendAsync(new { type = "anchor.hello", hostname = "doomed.local", platform = "linux", anchorId = "far" });
        await client.NextOfTypeAsync("orbit.anchor-connected");

        await client.SendTextAsync("""{"id":41,"method":"thread/list","params":{}}""");
        await anchor.NextAsync(f => (string?)f["method"] == "thread/list");

        var killedAt = DateTimeOffset.UtcNow;
        await doomed.KillAsync();

        var refused = await client.NextAsync(f => f.ContainsKey("error"), TimeSpan.FromSeconds(90));
        var noticed = DateTimeOffset.UtcNow - killedAt;
        Assert.Equal("41", refused["id"]!.ToJsonString());
        Assert.Equal("anchor_offline", (string?)refused["error"]!["data"]!["code"]);
        Assert.Equal("far", (string?)(await client.NextOfTypeAsync("orbit.anchor-disconnected"))["anchorId"]);
        await client.SendAsync(new { type = "orbit.list-anchors" });
        Assert.Empty((await client.NextOfTypeAsync("orbit.anchors"))["anchors"]!.AsArray());
        // Two lease periods, or as long as cluster membership takes to declare the silo dead (whichever path sees it first).
        Assert.True(noticed < TimeSpan.FromSeconds(60), $"presence corrected after {noticed}");
        output.WriteLine($"presence corrected {noticed.TotalSeconds:F1} s after SIGKILL");
        await anchor.DisposeAsync();
    }

    [Fact]
    public async Task A_client_whose_front_end_is_killed_reconnects_to_the_other_and_replays_what_was_stored()
    {
        var (cluster, survivor, doomed) = await StartTwoFrontEndsAsync("relayreplay");
        await using var _ = cluster;

        var (webToken, anchorToken) = await SignUpAsync(survivor);
        await using var anchor = await OrbitSocket.ConnectAsync(survivor.HttpAddress, $"/ws/anchor?token={anchorToken}");
        await anchor.NextOfTypeAsync("orbit.hello");
        await anchor.SendAsync(new { type = "anchor.hello", hostname = "desk", platform = "linux", anchorId = "desk" });
        await anchor.SendAsync(new { type = "orbit.subscribe", threadId = "t" });
        await anchor.NextOfTypeAsync("orbit.subscribed");

        var client = await OrbitSocket.ConnectAsync(doomed.HttpAddress, $"/ws/client?token={webToken}&clientId=tab");
        await client.NextOfTypeAsync("orbit.hello");
        await client.SendAsync(new { type = "orbit.subscribe", threadId = "t" });
        await client.NextOfTypeAsync("orbit.relay-state");

        for (var i = 0; i < 20; i++)
        {
            await anchor.SendAsync(new { method = "item/agentMessage/delta", @params = new { threadId = "t", delta = $"d{i}" } });
        }

        await client.NextAsync(f => (string?)f["params"]?["delta"] == "d19");
        // Past the relay's stated bound (stored within 1 s of being relayed), then the client's front end dies.
        await Task.Delay(TimeSpan.FromSeconds(2));
        await doomed.KillAsync();
        await client.ClosedAsync(TimeSpan.FromSeconds(30)).ContinueWith(_ => { });
        Assert.NotEqual(WebSocketState.Open, client.State);
        await client.DisposeAsync();

        // The client reconnects to the survivor, as the web client does: until the cluster has moved the grains that
        // lived on the dead node, a handshake may be refused 503 (Retry-After), never 500.
        OrbitSocket? back = null;
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                back = await OrbitSocket.ConnectAsync(survivor.HttpAddress, $"/ws/client?token={webToken}&clientId=tab");
                return true;
            }
            catch (WebSocketException ex) when (ex.Message.Contains("'503'"))
            {
                return false;
            }
        }, "the client reconnected to the survivor", TimeSpan.FromSeconds(90));
        await using var reconnected = back!;

        await reconnected.NextOfTypeAsync("orbit.hello");
        await reconnected.SendAsync(new { type = "orbit.subscribe", threadId = "t" });
        var state = await reconnected.NextOfTypeAsync("orbit.relay-state");
        Assert.Equal(20, (int)state["replayed"]!);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal($"d{i}", (string?)(await reconnected.NextAsync(f => f["params"]?["delta"] is not null))["params"]!["delta"]);
        }
    }

    /// <summary>Two front ends of one cluster on a fresh database, both ready; the caller disposes the cluster.</summary>
    private async Task<(ProductCluster Cluster, ProductNode Survivor, ProductNode Doomed)> StartTwoFrontEndsAsync(string name)
    {
        var cluster = new ProductCluster(await server.CreateDatabaseAsync(name), $"{name}{Guid.NewGuid():N}"[..24]);
        try
        {
            var survivor = cluster.AddFrontEnd("survivor", Settings);
            var doomed = cluster.AddFrontEnd("doomed", Settings);
            survivor.Start();
            await survivor.WaitReadyAsync(Ready);
            doomed.Start();
            await doomed.WaitReadyAsync(Ready);
            return (cluster, survivor, doomed);
        }
        catch
        {
            // A node that did not come up: the ones that did stop here, not with the test run.
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>A person signed up on the node, and an anchor signed in for them through the device flow.</summary>
    private static async Task<(string WebToken, string AnchorToken)> SignUpAsync(ProductNode node)
    {
        using var http = new HttpClient { BaseAddress = node.HttpAddress, Timeout = TimeSpan.FromSeconds(30) };
        var api = new AccountsApi(http);
        var person = await api.RegisterAsync(AccountsApi.NewName("crash"));
        var anchor = await api.SignInAnchorAsync(person.Token);
        return (person.Token, (string)anchor["anchorAccessToken"]!);
    }
}
