using OrbitGrains.Feeds;
namespace OrbitGrains.Cloud;

/// <summary>What a launch asks of the provider.</summary>
/// <param name="InstanceId">Our instance id: also the idempotency token (EC2 ClientToken), so a retried launch never makes two.</param>
/// <param name="UserData">The boot script, at most 16 KB (EC2's limit; see <see cref="UserDataScript"/>).</param>
public sealed record LaunchSpec(string InstanceId, string UserId, string Name, string InstanceType, string UserData);

/// <summary>
/// Where instances run: EC2 (<see cref="Ec2CloudProvider"/>) or a simulation on this machine (<see cref="LocalCloudProvider"/>,
/// LOCAL_DEV_MODE). Every call is idempotent, so a grain may repeat one after a crash or a throttled answer. States come
/// back already mapped onto <see cref="InstanceStatus"/>.
/// </summary>
public interface ICloudProvider
{
    /// <summary>Launches (or, for a spec already launched, finds) the instance.</summary>
    Task<ProviderObservation> LaunchAsync(LaunchSpec spec, CancellationToken cancellationToken = default);

    /// <summary>The instance's state; null when the provider does not know it.</summary>
    Task<ProviderObservation?> DescribeAsync(string providerInstanceId, CancellationToken cancellationToken = default);

    Task StopAsync(string providerInstanceId, CancellationToken cancellationToken = default);

    Task StartAsync(string providerInstanceId, CancellationToken cancellationToken = default);

    Task TerminateAsync(string providerInstanceId, CancellationToken cancellationToken = default);

    /// <summary>Every instance tagged `ManagedBy` for this deployment that is not terminated.</summary>
    Task<IReadOnlyList<ProviderObservation>> ListManagedAsync(CancellationToken cancellationToken = default);

    /// <summary>The VNC server of an instance at this address.</summary>
    (string Host, int Port) VncTarget(string publicIp);

    /// <summary>The agent gateway's WebSocket URL of an instance at this address.</summary>
    string GatewayUrl(string publicIp);
}

/// <summary>
/// The single call site for instance state changes on a user's live stream. The default does nothing; the front end
/// wires it to the user's feed. Called by the instance grain after each status change is stored, never awaited by a user.
/// </summary>
public interface IInstanceEvents
{
    Task StatusChangedAsync(InstanceRecord instance);
}

/// <summary>
/// Instance state changes on the owner's live feed (<see cref="Feeds.UserFeedPublisher"/>) as
/// <c>{"type":"instance","data":{"id","name","status","publicIp","instanceType"}}</c>, never a raw provider state.
/// </summary>
public sealed class FeedInstanceEvents(IGrainFactory grains) : IInstanceEvents
{
    public Task StatusChangedAsync(InstanceRecord instance) => grains.PublishAsync(instance.UserId, "instance", new
    {
        id = instance.Id,
        name = instance.Name,
        status = instance.Status,
        publicIp = instance.PublicIp,
        instanceType = instance.InstanceType,
        runningSince = instance.RunningSince,
    });
}
