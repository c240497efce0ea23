using OrbitGrains.Agents;

namespace OrbitGrains.WebFrontend.Agents;

/// <summary>
/// Group commit of agent events on this front end: while an agent's grain is storing one batch, the agent's further
/// events wait here and then go together as the next batch, one state write for all of them. Every request is answered
/// only once the write that holds its event is done (201 means stored). An agent posting one event at a time sees no
/// difference; an agent posting many at once gets one write per round trip instead of one per event.
/// </summary>
public sealed class AgentEventBatcher(IGrainFactory grains)
{
    /// <summary>Events one batch carries at most, so one write stays small.</summary>
    public const int MaxBatch = 64;

    private readonly Dictionary<string, Queue<Pending>> _queues = new(StringComparer.Ordinal);

    /// <summary>Stores the event through its agent's next batch; null when refused (the agent's pending tasks are full).</summary>
    public Task<RecordedEvent?> RecordAsync(string agentId, NewAgentEvent newEvent)
    {
        var pending = new Pending(newEvent, new TaskCompletionSource<RecordedEvent?>(TaskCreationOptions.RunContinuationsAsynchronously));
        bool start;
        lock (_queues)
        {
            start = !_queues.TryGetValue(agentId, out var queue);
            if (start)
            {
                // No batch in flight for this agent: this request starts one (and drains what arrives meanwhile).
                queue = new Queue<Pending>();
                _queues[agentId] = queue;
            }

            queue!.Enqueue(pending);
        }

        if (start)
        {
            _ = Task.Run(() => DrainAsync(agentId));
        }

        return pending.Done.Task;
    }

    private async Task DrainAsync(string agentId)
    {
        var agent = grains.GetGrain<IAgentGrain>(agentId);
        while (true)
        {
            Pending[] batch;
            lock (_queues)
            {
                var queue = _queues[agentId];
                if (queue.Count == 0)
                {
                    _queues.Remove(agentId);
                    return;
                }

                batch = new Pending[Math.Min(queue.Count, MaxBatch)];
                for (var i = 0; i < batch.Length; i++)
                {
                    batch[i] = queue.Dequeue();
                }
            }

            try
            {
                var results = await agent.RecordBatch(batch.Select(p => p.Event).ToArray());
                for (var i = 0; i < batch.Length; i++)
                {
                    batch[i].Done.TrySetResult(results[i]);
                }
            }
            catch (Exception ex)
            {
                // The write failed: none of the batch is stored (the grain drops the activation), each request fails.
                foreach (var pending in batch)
                {
                    pending.Done.TrySetException(ex);
                }
            }
        }
    }

    private sealed record Pending(NewAgentEvent Event, TaskCompletionSource<RecordedEvent?> Done);
}
