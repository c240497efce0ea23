namespace OrbitGrains.Cloud;

/// <summary>
/// The instance lifecycle the Cloud family shows (spec: cloud.md, Instances). These six words are the only states a
/// client ever sees; a provider's own state names (EC2's pending, shutting-down, ...) are mapped onto them by the
/// instance grain and never shown.
/// </summary>
public static class InstanceStatus
{
    public const string Launching = "launching";
    public const string Running = "running";
    public const string Stopping = "stopping";
    public const string Stopped = "stopped";
    public const string Terminated = "terminated";
    public const string Failed = "failed";

    /// <summary>True for the states <c>MAX_INSTANCES_PER_USER</c> counts: launching and running.</summary>
    public static bool CountsTowardsQuota(string status) => status is Launching or Running;
}
