using System.Collections.Concurrent;

namespace OrbitGrains.Cloud;

/// <summary>
/// LOCAL_DEV_MODE: instances simulated in this process, no AWS. Every command takes effect at once and every
/// instance is at 127.0.0.1; the proxies reach LOCAL_VNC_ADDRESS and LOCAL_GATEWAY_URL, so the whole flow works on
/// one machine. An instance this process never saw (after a restart) reads as running: the simulation has no memory.
/// </summary>
public sealed class LocalCloudProvider(CloudOptions options) : ICloudProvider
{
    public const string Address = "127.0.0.1";
    private readonly ConcurrentDictionary<string, (string InstanceId, string Status)> _instances = new();

    public Task<ProviderObservation> LaunchAsync(LaunchSpec spec, CancellationToken cancellationToken = default)
    {
        var providerId = "local-" + spec.InstanceId[..17];
        _instances.TryAdd(providerId, (spec.InstanceId, InstanceStatus.Running));
        return Task.FromResult(Observe(providerId));
    }

    public Task<ProviderObservation?> DescribeAsync(string providerInstanceId, CancellationToken cancellationToken = default) =>
        Task.FromResult<ProviderObservation?>(Observe(providerInstanceId));

    public Task StopAsync(string providerInstanceId, CancellationToken cancellationToken = default) => Set(providerInstanceId, InstanceStatus.Stopped);

    public Task StartAsync(string providerInstanceId, CancellationToken cancellationToken = default) => Set(providerInstanceId, InstanceStatus.Running);

    public Task TerminateAsync(string providerInstanceId, CancellationToken cancellationToken = default) => Set(providerInstanceId, InstanceStatus.Terminated);

    public Task<IReadOnlyList<ProviderObservation>> ListManagedAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<ProviderObservation>>(
            _instances.Where(i => i.Value.Status != InstanceStatus.Terminated).Select(i => Observe(i.Key)).ToList());

    public (string Host, int Port) VncTarget(string publicIp) => (options.LocalVncHost, options.LocalVncPort);

    public string GatewayUrl(string publicIp) => options.LocalGatewayUrl;

    private Task Set(string providerId, string status)
    {
        _instances.AddOrUpdate(providerId, _ => (null!, status), (_, old) => (old.InstanceId, status));
        return Task.CompletedTask;
    }

    private ProviderObservation Observe(string providerId) =>
        _instances.TryGetValue(providerId, out var known)
            ? new ProviderObservation(providerId, known.InstanceId, known.Status, Address)
            : new ProviderObservation(providerId, null, InstanceStatus.Running, Address);
}
