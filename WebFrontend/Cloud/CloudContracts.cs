using System.Text.Json.Serialization;
using OrbitGrains.Cloud;

namespace OrbitGrains.WebFrontend.Cloud;

/// <summary>
/// An instance as the Cloud routes show it (spec: cloud.md, Instances); status is one of <see cref="InstanceStatus"/>.
/// Beyond the spec, <c>running_since</c>: when it last reached running (null in any other state), what its cost so far
/// is counted from.
/// </summary>
public sealed record InstanceView(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("public_ip")] string? PublicIp,
    [property: JsonPropertyName("ec2_instance_id")] string? Ec2InstanceId,
    [property: JsonPropertyName("instance_type")] string InstanceType,
    [property: JsonPropertyName("vnc_port")] int VncPort,
    [property: JsonPropertyName("cloudbot_port")] int CloudbotPort,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("running_since")] DateTimeOffset? RunningSince)
{
    public static InstanceView From(InstanceRecord r) =>
        new(r.Id, r.Name, r.Status, r.PublicIp, r.ProviderInstanceId, r.InstanceType, CloudOptions.VncPort, CloudOptions.GatewayPort, r.CreatedAt, r.RunningSince);
}

/// <summary>GET /api/instances: newest first.</summary>
/// <param name="MaxInstances">The quota: launching and running instances one user may have (MAX_INSTANCES_PER_USER). Not in
/// the original contract (its clients ignore it): added so the web client can show the quota before a create is refused.</param>
public sealed record InstanceList(
    [property: JsonPropertyName("instances")] InstanceView[] Instances,
    [property: JsonPropertyName("max_instances")] int MaxInstances);

/// <summary>A confirmation: `{"message": ...}`.</summary>
public sealed record CloudMessage([property: JsonPropertyName("message")] string Message);

/// <summary>GET /api/user/api-keys: the providers with a stored key, never the keys.</summary>
public sealed record ApiKeyProviders([property: JsonPropertyName("providers")] string[] Providers);

/// <summary>
/// GET /api/instances/{id}/vnc-password: the instance's own VNC password, for the owner's noVNC (RFB VNC authentication
/// reads at most 8 characters). Sent with Cache-Control: no-store; the instance's gateway token is never given out.
/// </summary>
public sealed record VncPasswordView([property: JsonPropertyName("vnc_password")] string VncPassword);
