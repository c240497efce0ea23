using OrbitGrains.Hosting;
using OrbitGrains.Shared;

namespace OrbitGrains.Cloud;

/// <summary>
/// A user's instances and their quota. Creates and starts run one at a time in this activation, so the count of
/// launching and running instances it checks is the count it leaves: MAX_INSTANCES_PER_USER holds cluster-wide.
/// </summary>
public sealed class UserInstancesGrain(
    [PersistentState("cloud-user", OrbitStorageNames.GrainState)] IPersistentState<UserInstancesGrain.State> state,
    CloudOptions options,
    TimeProvider clock) : Grain, IUserInstancesGrain
{
    /// <summary>Client tokens remembered per user (oldest forgotten first).</summary>
    public const int MaxClientTokens = 100;

    private string UserId => this.GetPrimaryKeyString();

    public async Task<QuotaOutcome> Create(CreateInstanceOrder order)
    {
        if (order.ClientToken is { } token && state.State.ClientTokens.FirstOrDefault(t => t.Token == token) is { } seen)
        {
            // A retried create: the instance the first one made, however far it got.
            var earlier = await Instance(seen.InstanceId).Get(UserId);
            if (earlier is not null)
            {
                return new QuotaOutcome(earlier, false, options.MaxInstancesPerUser);
            }
        }

        if (Active() >= options.MaxInstancesPerUser)
        {
            return new QuotaOutcome(null, true, options.MaxInstancesPerUser);
        }

        var id = IssuedIds.New();
        state.State.Created++;
        var name = string.IsNullOrWhiteSpace(order.Name) ? $"Instance {state.State.Created}" : order.Name.Trim();
        var keys = order.ApiKeys ?? await GrainFactory.GetGrain<IApiKeyVaultGrain>(UserId).Decrypted();
        var createdAt = clock.GetUtcNow();
        // Counted before the launch: a concurrent create waits behind this one and sees it.
        state.State.Entries.Add(new Entry { Id = id, CreatedAt = createdAt, Status = InstanceStatus.Launching });
        if (order.ClientToken is { } clientToken)
        {
            state.State.ClientTokens.Add(new ClientTokenEntry { Token = clientToken, InstanceId = id });
            if (state.State.ClientTokens.Count > MaxClientTokens)
            {
                state.State.ClientTokens.RemoveAt(0);
            }
        }

        await state.WriteStateAsync();
        var record = await Instance(id).Launch(UserId, order with { Name = name }, keys, createdAt);
        await NoteAsync(id, record.Status);
        return new QuotaOutcome(record, false, options.MaxInstancesPerUser);
    }

    public async Task<QuotaOutcome> Start(string instanceId)
    {
        var entry = state.State.Entries.FirstOrDefault(e => e.Id == instanceId);
        if (entry is null)
        {
            return new QuotaOutcome(null, false, options.MaxInstancesPerUser);
        }

        var current = await Instance(instanceId).Get(UserId);
        if (current is null)
        {
            return new QuotaOutcome(null, false, options.MaxInstancesPerUser);
        }

        if (!InstanceStatus.CountsTowardsQuota(current.Status) && Active(except: instanceId) >= options.MaxInstancesPerUser)
        {
            return new QuotaOutcome(null, true, options.MaxInstancesPerUser);
        }

        var record = await Instance(instanceId).Start(UserId);
        if (record is not null)
        {
            await NoteAsync(instanceId, record.Status);
        }

        return new QuotaOutcome(record, false, options.MaxInstancesPerUser);
    }

    public async Task<InstanceRecord[]> List()
    {
        var records = await Task.WhenAll(state.State.Entries.Select(e => Instance(e.Id).Get(UserId)));
        return records.Where(r => r is not null && r.Status != InstanceStatus.Terminated).Select(r => r!)
            .OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id, StringComparer.Ordinal).ToArray();
    }

    public async Task<bool> Delete(string instanceId)
    {
        if (state.State.Entries.All(e => e.Id != instanceId))
        {
            return false;
        }

        var found = await Instance(instanceId).Terminate(UserId);
        state.State.Entries.RemoveAll(e => e.Id == instanceId);
        await state.WriteStateAsync();
        return found;
    }

    public Task StatusChanged(string instanceId, string status) => NoteAsync(instanceId, status);

    private async Task NoteAsync(string instanceId, string status)
    {
        if (state.State.Entries.FirstOrDefault(e => e.Id == instanceId) is { } entry && entry.Status != status)
        {
            entry.Status = status;
            await state.WriteStateAsync();
        }
    }

    private int Active(string? except = null) =>
        state.State.Entries.Count(e => e.Id != except && InstanceStatus.CountsTowardsQuota(e.Status));

    private IInstanceGrain Instance(string id) => GrainFactory.GetGrain<IInstanceGrain>(id);

    [GenerateSerializer, Alias("OrbitGrains.Cloud.UserInstancesGrain.State")]
    public sealed class State
    {
        [Id(0)] public List<Entry> Entries { get; set; } = [];
        [Id(1)] public List<ClientTokenEntry> ClientTokens { get; set; } = [];

        /// <summary>Instances ever created: the n of the default name "Instance {n}".</summary>
        [Id(2)] public int Created { get; set; }
    }

    /// <summary>One listed instance and the last status its grain reported (what the quota counts).</summary>
    [GenerateSerializer, Alias("OrbitGrains.Cloud.UserInstancesGrain.Entry")]
    public sealed class Entry
    {
        [Id(0)] public string Id { get; set; } = "";
        [Id(1)] public DateTimeOffset CreatedAt { get; set; }
        [Id(2)] public string Status { get; set; } = InstanceStatus.Launching;
    }

    [GenerateSerializer, Alias("OrbitGrains.Cloud.UserInstancesGrain.ClientTokenEntry")]
    public sealed class ClientTokenEntry
    {
        [Id(0)] public string Token { get; set; } = "";
        [Id(1)] public string InstanceId { get; set; } = "";
    }
}
