using Microsoft.Extensions.Hosting;
using Orleans.Runtime;

namespace OrbitGrains.Hosting;

/// <summary>Whether this process's silo has joined the cluster and may take traffic: not once the process has begun to stop.</summary>
public sealed class SiloReadiness(ILocalSiloDetails localSilo, IClusterMembershipService membership, IHostApplicationLifetime lifetime)
{
    /// <summary>
    /// False from the moment the host starts stopping, before the silo itself leaves the cluster (which comes last, after
    /// in-flight requests): orchestrators and load balancers stop sending traffic first.
    /// </summary>
    public bool IsActive => !lifetime.ApplicationStopping.IsCancellationRequested
        && membership.CurrentSnapshot.GetSiloStatus(localSilo.SiloAddress) == SiloStatus.Active;

    public int ActiveSilos => membership.CurrentSnapshot.Members.Values.Count(member => member.Status == SiloStatus.Active);

    public string SiloAddress => localSilo.SiloAddress.ToParsableString();
}
