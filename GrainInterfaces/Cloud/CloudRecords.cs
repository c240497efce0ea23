namespace OrbitGrains.Cloud;

/// <summary>One instance as its grain keeps it (spec: cloud.md, Instances); what the routes show is built from it.</summary>
/// <param name="Id">The instance id: 32 lower-case hexadecimal digits (<see cref="Shared.IssuedIds"/>).</param>
/// <param name="Status">One of <see cref="InstanceStatus"/>.</param>
/// <param name="PublicIp">The address the proxies connect to; null until the provider reports one.</param>
/// <param name="ProviderInstanceId">The provider's id (EC2 `i-...`); null until RunInstances answered.</param>
/// <param name="InstanceType">t3.medium, t3.large or t3.xlarge.</param>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Cloud.InstanceRecord")]
public sealed record InstanceRecord(
    [property: Id(0)] string Id,
    [property: Id(1)] string UserId,
    [property: Id(2)] string Name,
    [property: Id(3)] string Status,
    [property: Id(4)] string? PublicIp,
    [property: Id(5)] string? ProviderInstanceId,
    [property: Id(6)] string InstanceType,
    [property: Id(7)] DateTimeOffset CreatedAt,
    [property: Id(8)] DateTimeOffset? RunningSince = null);

/// <summary>What a create asks for; the keys are plaintext only on the way to the grain, which stores them encrypted.</summary>
/// <param name="ClientToken">The caller's idempotency token: a retried create with the same one returns the first instance.</param>
/// <param name="ApiKeys">Provider name to key; null means "use the keys stored in the user's vault".</param>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Cloud.CreateInstanceOrder")]
public sealed record CreateInstanceOrder(
    [property: Id(0)] string? Name,
    [property: Id(1)] string InstanceType,
    [property: Id(2)] Dictionary<string, string>? ApiKeys,
    [property: Id(3)] string? ClientToken);

/// <summary>The answer to a create or a start that the quota may refuse.</summary>
/// <param name="Instance">The instance, or null when refused.</param>
/// <param name="QuotaExceeded">True when refused because launching and running instances already reach the limit.</param>
/// <param name="Limit">The limit that applied.</param>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Cloud.QuotaOutcome")]
public sealed record QuotaOutcome([property: Id(0)] InstanceRecord? Instance, [property: Id(1)] bool QuotaExceeded, [property: Id(2)] int Limit);

/// <summary>Where the front end's proxies connect for one running instance, with the instance's gateway secret.</summary>
/// <param name="VncHost">Host of the instance's VNC server (RFB over TCP).</param>
/// <param name="VncPort">Its TCP port (5900 on EC2).</param>
/// <param name="GatewayUrl">The agent gateway's WebSocket URL (ws://host:18789 on EC2).</param>
/// <param name="GatewayToken">The per-instance gateway token the proxy presents upstream (never sent to the browser).</param>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Cloud.ProxyTarget")]
public sealed record ProxyTarget(
    [property: Id(0)] string VncHost,
    [property: Id(1)] int VncPort,
    [property: Id(2)] string GatewayUrl,
    [property: Id(3)] string GatewayToken);

/// <summary>Why <see cref="IInstanceGrain.Target"/> gave no target.</summary>
public enum ProxyRefusal
{
    None,
    NotFound,
    NotReady,
}

/// <summary>The answer to a proxy's request for its target.</summary>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Cloud.ProxyTargetOutcome")]
public sealed record ProxyTargetOutcome([property: Id(0)] ProxyTarget? Target, [property: Id(1)] ProxyRefusal Refusal);

/// <summary>A provider's instance as the reconciler sees it.</summary>
/// <param name="ProviderInstanceId">EC2 `i-...`.</param>
/// <param name="InstanceId">Our instance id from the instance's `OrbitInstanceId` tag; null when untagged.</param>
/// <param name="Status">The provider state mapped onto <see cref="InstanceStatus"/>.</param>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Cloud.ProviderObservation")]
public sealed record ProviderObservation(
    [property: Id(0)] string ProviderInstanceId,
    [property: Id(1)] string? InstanceId,
    [property: Id(2)] string Status,
    [property: Id(3)] string? PublicIp);
