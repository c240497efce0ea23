using Orleans.Concurrency;

namespace OrbitGrains.Cloud;

/// <summary>
/// One cloud instance [instance id]: the lifecycle state machine (<see cref="InstanceStatus"/>), the provider calls,
/// the per-instance secrets. While a transition is in flight it polls the provider on a grain timer and holds a
/// durable reminder, so the transition finishes after a restart or the loss of its silo. Every call that names a user
/// answers as if the instance did not exist when it belongs to someone else.
/// </summary>
[Alias("OrbitGrains.Cloud.IInstanceGrain")]
public interface IInstanceGrain : IGrainWithStringKey
{
    /// <summary>Creates the instance (once; a second call returns the first record) and starts its launch.</summary>
    [Alias("Launch")]
    Task<InstanceRecord> Launch(string userId, CreateInstanceOrder order, Dictionary<string, string> apiKeys, DateTimeOffset createdAt);

    /// <summary>The instance, or null when it does not exist or belongs to someone else.</summary>
    [Alias("Get")]
    Task<InstanceRecord?> Get(string userId);

    /// <summary>Starts a stop; null when not found, else the record (unchanged when it is not running).</summary>
    [Alias("Stop")]
    Task<InstanceRecord?> Stop(string userId);

    /// <summary>Starts a start from stopped; null when not found. Called by <see cref="IUserInstancesGrain"/>, which holds the quota.</summary>
    [Alias("Start")]
    Task<InstanceRecord?> Start(string userId);

    /// <summary>Terminates; false when not found.</summary>
    [Alias("Terminate")]
    Task<bool> Terminate(string userId);

    /// <summary>
    /// The instance's VNC password (8 characters, what noVNC asks for) for its owner; null when the instance does not
    /// exist, belongs to someone else or is terminated (or being terminated). Never logged.
    /// </summary>
    [Alias("VncPassword")]
    Task<string?> VncPassword(string userId);

    /// <summary>Where the proxies connect, for the owner of a running instance.</summary>
    [Alias("Target")]
    Task<ProxyTargetOutcome> Target(string userId);

    /// <summary>A proxy connection opened (+1) or closed (-1); idle auto-stop counts from the last close.</summary>
    [Alias("ProxyConnections")]
    Task ProxyConnections(int delta);

    /// <summary>
    /// An open proxy's heartbeat (every CLOUD_PROXY_HEARTBEAT_SEC): keeps the grain active, and after the grain moved to
    /// another silo (whose count started at zero) counts the connection again. Connections that stop beating stop counting.
    /// Answers whether the instance is still running: false once it left running (stopped, stopping, deleted), and
    /// the proxy then closes, so a desktop the user stopped is not left reachable through a proxy opened before.
    /// </summary>
    [Alias("ProxyAlive")]
    Task<bool> ProxyAlive();

    /// <summary>
    /// The reconciler's view of this instance at the provider. False when the grain has no instance (an orphan: the
    /// reconciler terminates it); otherwise the grain corrects drift and says true.
    /// </summary>
    [Alias("Reconcile")]
    Task<bool> Reconcile(ProviderObservation observation);
}

/// <summary>
/// A user's instances [user id]: the list (newest first) and <c>MAX_INSTANCES_PER_USER</c>, enforced here, in one
/// activation per user for the whole cluster, so concurrent creates and starts cannot pass the limit together.
/// </summary>
[Alias("OrbitGrains.Cloud.IUserInstancesGrain")]
public interface IUserInstancesGrain : IGrainWithStringKey
{
    [Alias("Create")]
    Task<QuotaOutcome> Create(CreateInstanceOrder order);

    /// <summary>Starts a stopped instance if the quota allows; null instance and not exceeded when not found.</summary>
    [Alias("Start")]
    Task<QuotaOutcome> Start(string instanceId);

    /// <summary>Newest first; terminated instances are not listed.</summary>
    [Alias("List")]
    Task<InstanceRecord[]> List();

    /// <summary>Terminates and forgets one instance; false when the user has no such instance.</summary>
    [Alias("Delete")]
    Task<bool> Delete(string instanceId);

    /// <summary>An instance's status changed (sent by the instance grain, not awaited, so it never waits on this grain).</summary>
    [OneWay, Alias("StatusChanged")]
    Task StatusChanged(string instanceId, string status);
}

/// <summary>
/// A user's model-provider keys [user id], stored encrypted (AES-256-GCM, tagged with the key id; spec: cloud.md, API
/// keys). Keys under an older encryption key are re-encrypted under the current one when the vault activates.
/// </summary>
[Alias("OrbitGrains.Cloud.IApiKeyVaultGrain")]
public interface IApiKeyVaultGrain : IGrainWithStringKey
{
    [Alias("Put")]
    Task Put(string provider, string apiKey);

    /// <summary>False when no key is stored for the provider.</summary>
    [Alias("Remove")]
    Task<bool> Remove(string provider);

    /// <summary>The providers with a stored key, sorted; never the keys.</summary>
    [Alias("Providers")]
    Task<string[]> Providers();

    /// <summary>The decrypted keys, for an instance's user data; only grains call this.</summary>
    [Alias("Decrypted")]
    Task<Dictionary<string, string>> Decrypted();
}

/// <summary>
/// The reconciler [<see cref="Key"/>]: on a reminder, lists the provider's instances tagged for this deployment,
/// terminates those no instance grain knows (orphans) and lets the grains correct drift.
/// </summary>
[Alias("OrbitGrains.Cloud.ICloudReconcilerGrain")]
public interface ICloudReconcilerGrain : IGrainWithStringKey
{
    public const string Key = "cloud";

    /// <summary>Registers the reminder (idempotent).</summary>
    [Alias("Ensure")]
    Task Ensure();

    /// <summary>One pass now; the number of orphans terminated.</summary>
    [Alias("Run")]
    Task<int> Run();
}
