using System.Net;
using OrbitGrains.Tests.Accounts;

namespace OrbitGrains.Tests.Agents;

/// <summary>A host whose reminders may tick every second, so inbox expiry is seen within a test.</summary>
public sealed class AgentsExpiryHost : AccountsHost
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Orleans:MinimumReminderPeriod"] = "00:00:01" };
}

/// <summary>Inbox expiry (`expiresInSec`): the workspace's one durable reminder decides expired items as rejected with comment "expired".</summary>
public sealed class AgentsExpiryTests(AgentsExpiryHost host) : AccountsHostTest<AgentsExpiryHost>(host)
{
    private AgentsApi Agents => new(Host.Http);

    [Fact]
    public async Task An_expired_item_is_rejected_with_comment_expired_and_its_command_is_queued_while_others_wait()
    {
        var user = await Agents.SignUpAsync();
        var (agent, token) = await Agents.CreateAgentAsync(user, "expiring");
        var expiring = await Agents.AskAsync(token, "quick", expiresInSec: 60);
        var later = await Agents.AskAsync(token, "slow", expiresInSec: 3600);
        var forever = await Agents.AskAsync(token, "forever");

        Clock.Advance(TimeSpan.FromSeconds(61));
        await Eventually.TrueAsync(async () => (await Agents.GetArrayAsync("/v1/inbox?status=rejected", bearer: user)).Count == 1, "the expired item is rejected");
        var rejected = Assert.Single(await Agents.GetArrayAsync("/v1/inbox?status=rejected", bearer: user))!;
        Assert.Equal(expiring, (string?)rejected["id"]);
        Assert.Equal("expired", (string?)rejected["comment"]);
        var command = Assert.Single(await Agents.GetArrayAsync("/v1/commands", agentToken: token))!;
        Assert.Equal(expiring, (string?)command["sourceTaskId"]);
        Assert.Equal("rejected", (string?)command["payload"]!["decision"]);
        Assert.Equal("expired", (string?)command["payload"]!["comment"]);
        Assert.Equal([forever, later], (await Agents.GetArrayAsync("/v1/inbox?status=pending", bearer: user)).Select(i => (string)i!["id"]!).ToArray());
        Assert.Equal("waiting_approval", (string?)(await Agents.GetAgentAsync(user, (string)agent["id"]!))["status"]);

        // A person's decision on an expired item is refused like any second decision.
        await AgentsApi.ExpectDetailAsync(await Agents.DecideAsync(user, expiring), HttpStatusCode.BadRequest, "Inbox item already decided.");

        Clock.Advance(TimeSpan.FromHours(1));
        await Eventually.TrueAsync(async () => (await Agents.GetArrayAsync("/v1/inbox?status=rejected", bearer: user)).Count == 2, "the second item expires in its turn");
        Assert.Equal(forever, (string?)Assert.Single(await Agents.GetArrayAsync("/v1/inbox?status=pending", bearer: user))!["id"]);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("2592001")]
    public async Task An_expiry_out_of_range_is_refused_and_nothing_is_stored(string seconds)
    {
        var user = await Agents.SignUpAsync();
        var (agent, token) = await Agents.CreateAgentAsync(user);
        var body = $"{{\"type\":\"approval_request\",\"message\":\"m\",\"requiresApproval\":true,\"expiresInSec\":{seconds}}}";
        await AgentsApi.ExpectDetailAsync(await Agents.SendAsync(HttpMethod.Post, "/v1/events", body, agentToken: token),
            HttpStatusCode.UnprocessableEntity, "expiresInSec must be an integer from 1 to 2592000.");
        Assert.Equal(0, (long)(await Agents.GetAgentAsync(user, (string)agent["id"]!))["eventsCount"]!);
        Assert.Empty(await Agents.GetArrayAsync("/v1/inbox", bearer: user));
    }

    [Theory]
    [InlineData("\"60\"")]
    [InlineData("1.5")]
    [InlineData("[60]")]
    public async Task An_expiry_of_the_wrong_type_is_refused_and_nothing_is_stored(string value)
    {
        var user = await Agents.SignUpAsync();
        var (agent, token) = await Agents.CreateAgentAsync(user);
        var body = $"{{\"type\":\"approval_request\",\"message\":\"m\",\"requiresApproval\":true,\"expiresInSec\":{value}}}";
        using var response = await Agents.SendAsync(HttpMethod.Post, "/v1/events", body, agentToken: token);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal(0, (long)(await Agents.GetAgentAsync(user, (string)agent["id"]!))["eventsCount"]!);
        Assert.Empty(await Agents.GetArrayAsync("/v1/inbox", bearer: user));
    }
}
