namespace OrbitGrains.Agents;

/// <summary>
/// Where an inbox task is [task id]: the lookup `POST /v1/inbox/{id}/decision` starts from. Written by the agent
/// before it stores the task, so a stored task is always found.
/// </summary>
[Alias("OrbitGrains.Agents.IInboxTaskGrain")]
public interface IInboxTaskGrain : IGrainWithStringKey
{
    [Alias("Set")]
    Task Set(InboxTaskLocation location);

    [Alias("Get")]
    Task<InboxTaskLocation?> Get();
}
