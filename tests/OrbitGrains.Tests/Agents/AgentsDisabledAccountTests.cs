using System.Net;
using OrbitGrains.Tests.Accounts;

namespace OrbitGrains.Tests.Agents;

/// <summary>
/// An account an admin disabled: its agents' tokens are refused as its other credentials are (README, Admin API), and
/// work again once it is enabled, since an agent token is the agent's, not a sign-in.
/// </summary>
public sealed class AgentsDisabledAccountTests(AgentsHost host) : AccountsHostTest<AgentsHost>(host)
{
    private AgentsApi Agents => new(Host.Http);

    [Fact]
    public async Task A_disabled_accounts_agent_token_is_refused_until_the_account_is_enabled()
    {
        var email = $"disabled-{Guid.NewGuid():N}"[..20] + "@example.com";
        var signUp = await AccountsApi.ExpectJsonAsync(await Api.PostJsonAsync("/v1/auth/signup", new { email, password = "agents password" }), HttpStatusCode.Created);
        var (userId, user) = ((string)signUp["userId"]!, (string)signUp["userToken"]!);
        var (agent, token) = await Agents.CreateAgentAsync(user);
        var id = (string)agent["id"]!;
        await AccountsApi.ExpectJsonAsync(await Agents.PostEventAsync(token, new { type = "action", message = "before", cost = 1 }), HttpStatusCode.Created);

        var admin = new AdminApi(Host.Http, AccountsHost.AdminToken);
        await admin.DisableAsync(userId);
        await AgentsApi.ExpectDetailAsync(await Agents.PostEventAsync(token, new { type = "action", message = "while disabled", cost = 1 }),
            HttpStatusCode.Unauthorized, "Invalid or revoked agent token.");
        await AgentsApi.ExpectDetailAsync(await Agents.SendAsync(HttpMethod.Get, "/v1/commands", agentToken: token),
            HttpStatusCode.Unauthorized, "Invalid or revoked agent token.");
        await AgentsApi.ExpectDetailAsync(await Agents.SendAsync(HttpMethod.Get, "/v1/commands/listen?timeout=0", agentToken: token),
            HttpStatusCode.Unauthorized, "Invalid or revoked agent token.");

        await admin.EnableAsync(userId);
        Assert.Empty(await Agents.GetArrayAsync("/v1/commands", agentToken: token));
        await AccountsApi.ExpectJsonAsync(await Agents.PostEventAsync(token, new { type = "action", message = "after", cost = 1 }), HttpStatusCode.Created);

        // Disabling ended the user token (old sign-ins stay ended): the owner signs in again to look.
        var login = await AccountsApi.ExpectJsonAsync(await Api.PostJsonAsync("/v1/auth/login", new { email, password = "agents password" }), HttpStatusCode.OK);
        var owner = (string)login["userToken"]!;
        Assert.Equal(["after", "before"], (await Agents.GetArrayAsync($"/v1/agents/{id}/events", bearer: owner)).Select(e => (string)e!["message"]!));
        var stored = await Agents.GetAgentAsync(owner, id);
        Assert.Equal(2, (long)stored["eventsCount"]!);
        Assert.Equal(2m, (decimal)stored["totalSpend"]!);
    }
}
