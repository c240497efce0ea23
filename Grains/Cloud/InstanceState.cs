namespace OrbitGrains.Cloud;

/// <summary>What an instance grain stores. Secrets and keys only as <see cref="ProviderKeyCipher"/> ciphertexts.</summary>
[GenerateSerializer, Alias("OrbitGrains.Cloud.InstanceState")]
public sealed class InstanceState
{
    [Id(0)] public bool Exists { get; set; }
    [Id(1)] public string UserId { get; set; } = "";
    [Id(2)] public string Name { get; set; } = "";
    [Id(3)] public string InstanceType { get; set; } = CloudOptions.DefaultInstanceType;
    [Id(4)] public DateTimeOffset CreatedAt { get; set; }
    [Id(5)] public string Status { get; set; } = InstanceStatus.Launching;
    [Id(6)] public string? PublicIp { get; set; }
    [Id(7)] public string? ProviderInstanceId { get; set; }

    /// <summary>The status a transition in flight is heading for (running, stopped, terminated); null when settled.</summary>
    [Id(8)] public string? Goal { get; set; }

    /// <summary>When the transition in flight began.</summary>
    [Id(9)] public DateTimeOffset GoalSince { get; set; }

    /// <summary>The keys for the launch, until the provider has the instance; then cleared.</summary>
    [Id(10)] public Dictionary<string, string> SealedKeys { get; set; } = [];
    [Id(11)] public string? SealedVncPassword { get; set; }
    [Id(12)] public string? SealedGatewayToken { get; set; }

    /// <summary>
    /// When a proxy connection was last seen (opened, beating, closed) or the instance reached running; idle auto-stop
    /// counts from here.
    /// </summary>
    [Id(13)] public DateTimeOffset IdleSince { get; set; }

    /// <summary>True once the provider was told about the goal in flight (stop, start, terminate); repeated only after a crash.</summary>
    [Id(14)] public bool CommandIssued { get; set; }

    /// <summary>When the instance last reached running; null while it is in any other state (what it costs by the hour).</summary>
    [Id(15)] public DateTimeOffset? RunningSince { get; set; }
}
