using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OrbitGrains.Agents;
using OrbitGrains.Tests.Accounts;

namespace OrbitGrains.Tests.Agents;

/// <summary>
/// The agent's command queue is its own grain (<see cref="IAgentCommandsGrain"/>), fed through an outbox stored with the
/// decision: when the hand-over to the queue fails, or the host goes down before it, the decision, its command and the
/// status still stand together, and the command reaches the queue exactly once at the agent's next command read.
/// </summary>
public sealed class AgentsCommandHandoverTests : IDisposable
{
    private readonly TempDirectory _data = new("orbit-agents-handover");

    [Fact]
    public async Task A_decision_whose_command_cannot_reach_the_queue_stands_and_the_command_arrives_once_when_it_can()
    {
        var queue = new FailingQueue();
        await using var host = await StartAsync($"handover-{Guid.NewGuid():N}", queue);
        var agents = new AgentsApi(host.Http);
        var user = await agents.SignUpAsync();
        var (agent, token) = await agents.CreateAgentAsync(user, "handover");
        var taskId = await agents.AskAsync(token, "deploy");

        queue.Failing = true;
        var decided = await AccountsApi.ExpectJsonAsync(await agents.DecideAsync(user, taskId), HttpStatusCode.OK);
        Assert.Equal("approved", (string?)decided["status"]);
        Assert.True(queue.Refused > 0, "the hand-over was tried and failed");
        Assert.Equal("running", (string?)(await agents.GetAgentAsync(user, (string)agent["id"]!))["status"]);
        await AgentsApi.ExpectDetailAsync(await agents.DecideAsync(user, taskId, "rejected"), HttpStatusCode.BadRequest, "Inbox item already decided.");

        // While the queue refuses, a read tries again and finds nothing queued yet; once it accepts, the next read delivers.
        Assert.Empty(await agents.GetArrayAsync("/v1/commands", agentToken: token));
        queue.Failing = false;
        var command = Assert.Single(await agents.GetArrayAsync("/v1/commands", agentToken: token))!;
        Assert.Equal(taskId, (string?)command["sourceTaskId"]);
        Assert.Equal("approval_decision", (string?)command["kind"]);

        // Handed over again (it stays in the stored outbox until the agent's next write, so an activation delivers it
        // once more): its sequence number is the queue's last, so it is skipped, never doubled.
        var queued = new AgentCommand("0123456789abcdef0123456789abcdef", (string)agent["id"]!, "approval_decision", "{}", CommandStatuses.Pending,
            DateTimeOffset.UtcNow, taskId);
        await host.Grains.GetGrain<IAgentCommandsGrain>((string)agent["id"]!).Enqueue([new QueuedCommand(1, queued)]);
        Assert.Equal((string?)command["id"], (string?)Assert.Single(await agents.GetArrayAsync("/v1/commands", agentToken: token))!["id"]);
        await AccountsApi.ExpectJsonAsync(await agents.SendAsync(HttpMethod.Post, $"/v1/commands/{command["id"]}/ack", agentToken: token), HttpStatusCode.OK);
        Assert.Empty(await agents.GetArrayAsync("/v1/commands", agentToken: token));
    }

    [Fact]
    public async Task A_command_stored_but_not_handed_over_before_the_host_went_down_reaches_a_listening_agent_once_after_the_restart()
    {
        var serviceId = $"handover-restart-{Guid.NewGuid():N}";
        string user, token, taskId, otherTask;
        var queue = new FailingQueue();
        await using (var before = await StartAsync(serviceId, queue))
        {
            var agents = new AgentsApi(before.Http);
            user = await agents.SignUpAsync();
            (_, token) = await agents.CreateAgentAsync(user, "survivor");
            taskId = await agents.AskAsync(token, "first");
            otherTask = await agents.AskAsync(token, "second");
            queue.Failing = true;
            await AccountsApi.ExpectJsonAsync(await agents.DecideAsync(user, taskId, "rejected"), HttpStatusCode.OK);
            Assert.True(queue.Refused > 0, "the hand-over was tried and failed");
        }

        // The outbox held in memory went with the host; only the stored one is left to deliver.
        await using var after = await StartAsync(serviceId, new FailingQueue());
        var again = new AgentsApi(after.Http);
        var listened = await again.GetArrayAsync("/v1/commands/listen?timeout=20", agentToken: token);
        var command = Assert.Single(listened)!;
        Assert.Equal(taskId, (string?)command["sourceTaskId"]);
        Assert.Equal("rejected", (string?)command["payload"]!["decision"]);

        // The rest of the decision stood with it: the item decided, the other one pending, the agent waiting on that one.
        var pending = Assert.Single(await again.GetArrayAsync("/v1/inbox?status=pending", bearer: user))!;
        Assert.Equal(otherTask, (string?)pending["id"]);
        Assert.Equal(taskId, (string?)Assert.Single(await again.GetArrayAsync("/v1/inbox?status=rejected", bearer: user))!["id"]);

        // A second decision queues its own command after the first, and the first is not queued again.
        await AccountsApi.ExpectJsonAsync(await again.DecideAsync(user, otherTask), HttpStatusCode.OK);
        var both = await again.GetArrayAsync("/v1/commands", agentToken: token);
        Assert.Equal([taskId, otherTask], both.Select(c => (string)c!["sourceTaskId"]!).ToArray());
    }

    private async Task<RunningHost> StartAsync(string serviceId, FailingQueue queue) =>
        await RunningHost.StartFrontEndAsync(RunningHost.IsolatedConfiguration(_data.Path, serviceId),
            configure: builder => builder.Services.AddSingleton<IIncomingGrainCallFilter>(queue));

    public void Dispose() => _data.Dispose();

    /// <summary>Makes the command queue refuse its hand-overs while <see cref="Failing"/> (as a queue whose storage is down would).</summary>
    private sealed class FailingQueue : IIncomingGrainCallFilter
    {
        private int _refused;

        public volatile bool Failing;

        public int Refused => Volatile.Read(ref _refused);

        public Task Invoke(IIncomingGrainCallContext context)
        {
            if (Failing && context.InterfaceMethod.DeclaringType == typeof(IAgentCommandsGrain) && context.InterfaceMethod.Name == nameof(IAgentCommandsGrain.Enqueue))
            {
                Interlocked.Increment(ref _refused);
                throw new InvalidOperationException("The command queue's storage is down (test).");
            }

            return context.Invoke();
        }
    }
}
