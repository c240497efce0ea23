using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OrbitGrains.Agents;
using OrbitGrains.Hosting;
using OrbitGrains.Tests.Accounts;
using Orleans.Core.Internal;
using Orleans.Storage;

namespace OrbitGrains.Tests.Agents;

/// <summary>
/// The workspace's inbox index: the agents that have inbox tasks, noted by each agent before it stores its first, so
/// `GET /v1/inbox` asks those agents only, never every agent of the workspace.
/// </summary>
public sealed class AgentsInboxIndexTests : IDisposable
{
    private readonly TempDirectory _data = new("orbit-agents-inbox-index");

    private static async Task<string> UserIdAsync(AgentsApi agents, string token)
    {
        using var me = await agents.SendAsync(HttpMethod.Get, "/api/auth/me", bearer: token);
        return (string)(await AccountsApi.ExpectJsonAsync(me, HttpStatusCode.OK))["id"]!;
    }

    [Fact]
    public async Task Concurrent_first_tasks_of_many_agents_are_all_indexed_listed_and_survive_a_restart_and_another_user_sees_none()
    {
        var serviceId = $"inbox-index-{Guid.NewGuid():N}";
        string user, userId, other;
        string[] withTasks;
        string[] taskIds;
        await using (var before = await RunningHost.StartFrontEndAsync(RunningHost.IsolatedConfiguration(_data.Path, serviceId)))
        {
            var agents = new AgentsApi(before.Http);
            user = await agents.SignUpAsync();
            userId = await UserIdAsync(agents, user);
            other = await agents.SignUpAsync();
            var created = new List<(string Id, string Token)>();
            for (var i = 0; i < 10; i++)
            {
                var (agent, token) = await agents.CreateAgentAsync(user, $"agent-{i}");
                created.Add(((string)agent["id"]!, token));
            }

            // Half the agents open their first tasks at once, three each, concurrently (racing their own notes to the
            // workspace); the other half only report plain events.
            var asking = created.Take(5).ToArray();
            withTasks = asking.Select(a => a.Id).ToArray();
            var opened = await Task.WhenAll(asking.SelectMany(a => Enumerable.Range(0, 3).Select(n => agents.AskAsync(a.Token, $"step {n}"))));
            await Task.WhenAll(created.Skip(5).Select(async a =>
                await AccountsApi.ExpectJsonAsync(await agents.PostEventAsync(a.Token, new { type = "action", message = "quiet" }), HttpStatusCode.Created)));
            taskIds = opened;

            var workspace = before.Grains.GetGrain<IWorkspaceGrain>(userId);
            Assert.Equal(withTasks.Order(), (await workspace.InboxAgentIds())!.Order());
            var listed = await agents.GetArrayAsync("/v1/inbox?limit=500", bearer: user);
            Assert.Equal(taskIds.Order(), listed.Select(i => (string)i!["id"]!).Order());

            // One decided: it stays in the inbox (status filter approved), and its agent stays indexed.
            await AccountsApi.ExpectJsonAsync(await agents.DecideAsync(user, taskIds[0]), HttpStatusCode.OK);

            // Another person's inbox has none of them, and deciding one of them is 404 as for an unknown id.
            Assert.Empty(await agents.GetArrayAsync("/v1/inbox", bearer: other));
            await AgentsApi.ExpectDetailAsync(await agents.DecideAsync(other, taskIds[1]), HttpStatusCode.NotFound, "Inbox item not found.");
        }

        await using var after = await RunningHost.StartFrontEndAsync(RunningHost.IsolatedConfiguration(_data.Path, serviceId));
        var again = new AgentsApi(after.Http);
        Assert.Equal(withTasks.Order(), (await after.Grains.GetGrain<IWorkspaceGrain>(userId).InboxAgentIds())!.Order());
        Assert.Equal(taskIds.Order(), (await again.GetArrayAsync("/v1/inbox?limit=500", bearer: user)).Select(i => (string)i!["id"]!).Order());
        Assert.Equal(taskIds[0], (string?)Assert.Single(await again.GetArrayAsync("/v1/inbox?status=approved", bearer: user))!["id"]);
        Assert.Equal(taskIds.Length - 1, (await again.GetArrayAsync("/v1/inbox?status=pending&limit=500", bearer: user)).Count);
        Assert.Empty(await again.GetArrayAsync("/v1/inbox", bearer: other));
    }

    [Fact]
    public async Task A_workspace_whose_agents_had_tasks_before_the_index_was_kept_has_it_built_by_its_first_list()
    {
        await using var host = await RunningHost.StartFrontEndAsync(RunningHost.IsolatedConfiguration(_data.Path, $"inbox-upgrade-{Guid.NewGuid():N}"));
        var agents = new AgentsApi(host.Http);
        var user = await agents.SignUpAsync();
        var userId = await UserIdAsync(agents, user);
        var (asker, askerToken) = await agents.CreateAgentAsync(user, "asker");
        await agents.CreateAgentAsync(user, "quiet");
        var taskId = await agents.AskAsync(askerToken, "deploy");

        // The workspace's row as it was stored before the index existed: agents listed, no index, not marked complete.
        var workspace = host.Grains.GetGrain<IWorkspaceGrain>(userId);
        await workspace.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        var storage = host.Services.GetRequiredKeyedService<IGrainStorage>(OrbitStorageNames.GrainState);
        var row = new GrainState<WorkspaceGrain.State>(new WorkspaceGrain.State());
        var grainId = GrainId.Create("workspace", userId);
        await storage.ReadStateAsync("workspace", grainId, row);
        Assert.Equal(2, row.State!.AgentIds.Count);
        row.State.InboxAgents.Clear();
        row.State.InboxIndexed = false;
        await storage.WriteStateAsync("workspace", grainId, row);
        Assert.Null(await workspace.InboxAgentIds());

        Assert.Equal(taskId, (string?)Assert.Single(await agents.GetArrayAsync("/v1/inbox", bearer: user))!["id"]);
        Assert.Equal(new[] { (string)asker["id"]! }, await workspace.InboxAgentIds());
    }

    public void Dispose() => _data.Dispose();
}
