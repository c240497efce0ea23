using Orleans.Runtime;

namespace OrbitGrains.Hosting;

/// <summary>Whether this process's silo has joined the cluster and may take traffic.</summary>
public sealed class SiloReadiness(ILocalSiloDetails localSilo, IClusterMembershipService membership)
{
    public bool IsActive => membership.CurrentSnapshot.GetSiloStatus(localSilo.SiloAddress) == SiloStatus.Active;

    public int ActiveSilos => membership.CurrentSnapshot.Members.Values.Count(member => member.Status == SiloStatus.Active);

    public string SiloAddress => localSilo.SiloAddress.ToParsableString();
}
