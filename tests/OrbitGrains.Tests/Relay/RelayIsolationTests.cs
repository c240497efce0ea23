using System.Net.Http.Json;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace OrbitGrains.Tests.Relay;

/// <summary>User B never reaches or sees user A's anchors, threads or traffic, whatever ids B sends.</summary>
[Collection(RelayCollection.Name)]
public sealed class RelayIsolationTests(RelayHostFixture fixture)
{
    [Fact]
    public async Task Another_users_ids_reach_nothing_and_their_traffic_never_arrives()
    {
        var alice = RelayHostFixture.NewUser();
        var bob = RelayHostFixture.NewUser();
        await using var aliceClient = await fixture.ClientAsync(alice);
        await using var aliceAnchor = await fixture.AnchorAsync(alice, "alice-laptop", observer: aliceClient);
        await aliceAnchor.SendAsync(new { type = "orbit.subscribe", threadId = "secret-thread" });
        await aliceAnchor.NextOfTypeAsync("orbit.subscribed");
        await aliceAnchor.SendAsync(new { method = "item/completed", @params = new { threadId = "secret-thread", item = new { id = "i", type = "commandExecution", command = "cat secrets" } } });
        await aliceClient.NextAsync(f => (string?)f["method"] == "item/completed");

        await using var bobClient = await fixture.ClientAsync(bob);

        await bobClient.SendAsync(new { id = 1, method = "turn/start", @params = new { anchorId = "alice-laptop" } });
        Assert.Equal("anchor_not_found", (string?)(await bobClient.NextAsync(f => f["error"] is not null))["error"]!["data"]!["code"]);

        await bobClient.SendAsync(new { id = 2, method = "turn/start", @params = new { threadId = "secret-thread" } });
        Assert.Equal("anchor_offline", (string?)(await bobClient.NextAsync(f => f["error"] is not null))["error"]!["data"]!["code"]);

        await bobClient.SendAsync(new { type = "orbit.subscribe", threadId = "secret-thread" });
        var state = await bobClient.NextOfTypeAsync("orbit.relay-state");
        Assert.Null(state["boundAnchorId"]);
        Assert.Equal(0, (int)state["replayed"]!);

        await bobClient.SendAsync(new { type = "orbit.list-anchors" });
        Assert.Empty((await bobClient.NextOfTypeAsync("orbit.anchors"))["anchors"]!.AsArray());

        await bobClient.SendAsync(new { type = "orbit.artifacts.list", threadId = "secret-thread" });
        Assert.Empty((await bobClient.NextOfTypeAsync("orbit.artifacts"))["artifacts"]!.AsArray());

        // Alice's anchor keeps talking; none of it reaches Bob, and none of Bob's messages reached Alice's anchor.
        await aliceAnchor.SendAsync(new { method = "account/updated", @params = new { } });
        Assert.Empty(await bobClient.DrainAsync(TimeSpan.FromMilliseconds(400)));
        Assert.DoesNotContain(await aliceAnchor.DrainAsync(TimeSpan.FromMilliseconds(200)), f => (string?)f["method"] == "turn/start");
    }

    [Fact]
    public async Task Artifacts_endpoint_needs_a_client_token_and_serves_only_the_callers_threads()
    {
        var alice = RelayHostFixture.NewUser();
        await using var client = await fixture.ClientAsync(alice);
        await using var anchor = await fixture.AnchorAsync(alice, "a", observer: client);
        await anchor.SendAsync(new { method = "item/completed", @params = new { threadId = "t", item = new { id = "f1", type = "fileChange", changes = new[] { new { path = "src/app.cs" } } } } });
        await client.NextAsync(f => (string?)f["method"] == "item/completed");

        var anonymous = await fixture.Host.Http.GetAsync("/relay/artifacts?threadId=t");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Unauthorised", (await anonymous.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());

        var anchorToken = await GetAsync("/relay/artifacts?threadId=t", TestRelayAuthenticator.AnchorToken(alice));
        Assert.Equal(HttpStatusCode.Unauthorized, anchorToken.StatusCode);

        var mine = await GetAsync("/relay/artifacts?threadId=t&limit=10", TestRelayAuthenticator.ClientToken(alice));
        Assert.Equal(HttpStatusCode.OK, mine.StatusCode);
        var body = await mine.Content.ReadFromJsonAsync<JsonElement>();
        var artifact = Assert.Single(body.GetProperty("artifacts").EnumerateArray());
        Assert.Equal("file", artifact.GetProperty("artifactType").GetString());
        Assert.Equal("src/app.cs", artifact.GetProperty("summary").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("nextBeforeId").ValueKind);

        var viaQuery = await fixture.Host.Http.GetAsync($"/relay/artifacts?threadId=t&token={TestRelayAuthenticator.ClientToken(alice)}");
        Assert.Equal(HttpStatusCode.OK, viaQuery.StatusCode);

        var someoneElse = await GetAsync("/relay/artifacts?threadId=t", TestRelayAuthenticator.ClientToken(RelayHostFixture.NewUser()));
        Assert.Empty((await someoneElse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("artifacts").EnumerateArray());
    }

    [Theory]
    [InlineData("/relay/artifacts", "threadId is required.")]
    [InlineData("/relay/artifacts?threadId=t&limit=abc", "limit must be a whole number from 1 to 200.")]
    [InlineData("/relay/artifacts?threadId=t&limit=0", "limit must be a whole number from 1 to 200.")]
    [InlineData("/relay/artifacts?threadId=t&beforeId=-5", "beforeId must be a whole number.")]
    public async Task Artifacts_endpoint_rejects_bad_queries_with_400(string path, string message)
    {
        var response = await GetAsync(path, TestRelayAuthenticator.ClientToken(RelayHostFixture.NewUser()));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(message, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    private Task<HttpResponseMessage> GetAsync(string path, string bearer)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return fixture.Host.Http.SendAsync(request);
    }
}
