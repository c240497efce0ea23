using Microsoft.Extensions.Logging;
using OrbitGrains.Hosting;
using OrbitGrains.Telemetry;

namespace OrbitGrains.Cloud;

/// <summary>
/// One instance's lifecycle. A transition in flight (launch, start, stop, terminate) sets <see cref="InstanceState.Goal"/>,
/// holds a durable reminder and, while active, a grain timer that asks the provider every poll interval; reaching the
/// goal (or failing) drops both. Provider calls are idempotent, so a poll after a crash repeats whatever may not have
/// happened: a launch repeats RunInstances with the same client token and gets the same instance back.
/// </summary>
public sealed partial class InstanceGrain(
    [PersistentState("instance", OrbitStorageNames.GrainState)] IPersistentState<InstanceState> state,
    ICloudProvider provider,
    ProviderKeyCipher cipher,
    CloudOptions options,
    IInstanceEvents events,
    OrbitMeter meter,
    TimeProvider clock,
    ILogger<InstanceGrain> logger) : Grain, IInstanceGrain, IRemindable
{
    private const string TransitionReminder = "cloud-transition";
    private IGrainTimer? _poll;
    private int _proxies;

    /// <summary>The last open, close or heartbeat of a proxy connection seen by this activation.</summary>
    private DateTimeOffset _lastProxySign;

    private InstanceState S => state.State;
    private string Id => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.Goal is not null)
        {
            StartPolling();
        }

        return Task.CompletedTask;
    }

    public async Task<InstanceRecord> Launch(string userId, CreateInstanceOrder order, Dictionary<string, string> apiKeys, DateTimeOffset createdAt)
    {
        if (S.Exists)
        {
            return Record();
        }

        S.Exists = true;
        S.UserId = userId;
        S.Name = order.Name!;
        S.InstanceType = order.InstanceType;
        S.CreatedAt = createdAt;
        S.Status = InstanceStatus.Launching;
        S.SealedKeys = apiKeys.ToDictionary(k => k.Key, k => cipher.Encrypt(k.Value, KeyContext(k.Key)));
        S.SealedVncPassword = cipher.Encrypt(Secrets.NewVncPassword(), SecretContext("vnc"));
        S.SealedGatewayToken = cipher.Encrypt(Secrets.NewToken(), SecretContext("gateway"));
        // Stored before RunInstances: a crash after it leaves a grain that repeats the launch with the same client token.
        await BeginAsync(InstanceStatus.Running, InstanceStatus.Launching);
        meter.Cloud.Launched();
        await PollAsync();
        return Record();
    }

    public Task<InstanceRecord?> Get(string userId) => Task.FromResult(Owns(userId) ? Record() : null);

    public async Task<InstanceRecord?> Stop(string userId)
    {
        if (!Owns(userId))
        {
            return null;
        }

        if (S.Status is InstanceStatus.Running or InstanceStatus.Launching && S.Goal != InstanceStatus.Terminated)
        {
            await BeginAsync(InstanceStatus.Stopped, InstanceStatus.Stopping);
            await PollAsync();
        }

        return Record();
    }

    public async Task<InstanceRecord?> Start(string userId)
    {
        if (!Owns(userId))
        {
            return null;
        }

        if (S.Status is InstanceStatus.Stopped or InstanceStatus.Stopping && S.Goal != InstanceStatus.Terminated)
        {
            await BeginAsync(InstanceStatus.Running, InstanceStatus.Launching);
            await PollAsync();
        }

        return Record();
    }

    public async Task<bool> Terminate(string userId)
    {
        if (!Owns(userId))
        {
            return false;
        }

        if (S.Status != InstanceStatus.Terminated)
        {
            await BeginAsync(InstanceStatus.Terminated, S.ProviderInstanceId is null ? InstanceStatus.Terminated : InstanceStatus.Stopping);
            await PollAsync();
        }

        return true;
    }

    public Task<string?> VncPassword(string userId) =>
        Task.FromResult(Owns(userId) && S.Status != InstanceStatus.Terminated && S.Goal != InstanceStatus.Terminated && S.SealedVncPassword is { } sealedPassword
            ? cipher.Decrypt(sealedPassword, SecretContext("vnc"))
            : null);

    public Task<ProxyTargetOutcome> Target(string userId)
    {
        if (!Owns(userId))
        {
            return Task.FromResult(new ProxyTargetOutcome(null, ProxyRefusal.NotFound));
        }

        if (S.Status != InstanceStatus.Running || S.PublicIp is null || S.SealedGatewayToken is null)
        {
            return Task.FromResult(new ProxyTargetOutcome(null, ProxyRefusal.NotReady));
        }

        var (host, port) = provider.VncTarget(S.PublicIp);
        var target = new ProxyTarget(host, port, provider.GatewayUrl(S.PublicIp), cipher.Decrypt(S.SealedGatewayToken, SecretContext("gateway")));
        return Task.FromResult(new ProxyTargetOutcome(target, ProxyRefusal.None));
    }

    public async Task ProxyConnections(int delta)
    {
        _proxies = Math.Max(0, _proxies + delta);
        _lastProxySign = clock.GetUtcNow();
        if (S.Exists && (delta > 0 || _proxies == 0))
        {
            // Stored, so a grain that moves to another silo still knows a proxy was there a moment ago.
            S.IdleSince = _lastProxySign;
            await state.WriteStateAsync();
        }
    }

    public async Task<bool> ProxyAlive()
    {
        if (!S.Exists || S.Status != InstanceStatus.Running)
        {
            return false;
        }

        _proxies = Math.Max(_proxies, 1);
        _lastProxySign = clock.GetUtcNow();
        if (_lastProxySign - S.IdleSince >= options.ProxyHeartbeat / 2)
        {
            S.IdleSince = _lastProxySign;
            await state.WriteStateAsync();
        }

        return true;
    }

    public async Task<bool> Reconcile(ProviderObservation observation)
    {
        if (!S.Exists || S.Status == InstanceStatus.Terminated && S.Goal is null)
        {
            return false;
        }

        S.ProviderInstanceId ??= observation.ProviderInstanceId;
        if (S.Goal is null && observation.Status != S.Status)
        {
            // Drift: changed at the provider (the console, a spot reclaim, a reboot) without us.
            LogDrift(logger, Id, S.Status, observation.Status);
            S.PublicIp = observation.PublicIp ?? S.PublicIp;
            await SetStatusAsync(observation.Status);
        }

        await StopWhenIdleAsync();
        return true;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != TransitionReminder)
        {
            return;
        }

        if (S.Goal is null)
        {
            await UnregisterTransitionReminderAsync();
            return;
        }

        // The activation already polls on its timer; the reminder's part is to bring the grain back after a restart.
        StartPolling();
    }

    private bool Owns(string userId) => S.Exists && S.UserId == userId;

    private InstanceRecord Record() => new(Id, S.UserId, S.Name, S.Status, S.PublicIp, S.ProviderInstanceId, S.InstanceType, S.CreatedAt, S.RunningSince);

    private string KeyContext(string provider) => $"instance:{Id}:key:{provider}";

    private string SecretContext(string name) => $"instance:{Id}:{name}";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cloud instance {InstanceId} drifted from {Ours} to {Theirs} at the provider; corrected.")]
    private static partial void LogDrift(ILogger logger, string instanceId, string ours, string theirs);
}
