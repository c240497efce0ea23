using System.Runtime.CompilerServices;

namespace OrbitGrains.Hosting;

/// <summary>
/// The moments cluster membership declares silos dead (killed and voted out, or stopped and marked so on the way
/// out). Whatever a dead silo held in memory (activations, observers, one-way messages in flight) is gone by then,
/// so this is when in-memory registrations elsewhere are made again.
/// </summary>
public static class SiloDeaths
{
    /// <summary>The silos the snapshot lists as <see cref="SiloStatus.Dead"/>.</summary>
    public static HashSet<SiloAddress> DeadSilos(this ClusterMembershipSnapshot snapshot) =>
        snapshot.Members.Values.Where(m => m.Status == SiloStatus.Dead).Select(m => m.SiloAddress).ToHashSet();

    /// <summary>
    /// Yields the newly dead silos each time membership declares one or more dead after this call (those already
    /// dead are not reported). Ends quietly when <paramref name="cancellation"/> fires.
    /// </summary>
    public static async IAsyncEnumerable<IReadOnlyCollection<SiloAddress>> WatchSiloDeaths(
        this IClusterMembershipService membership, [EnumeratorCancellation] CancellationToken cancellation)
    {
        var dead = membership.CurrentSnapshot.DeadSilos();
        var updates = membership.MembershipUpdates.WithCancellation(cancellation).GetAsyncEnumerator();
        try
        {
            while (true)
            {
                try
                {
                    if (!await updates.MoveNextAsync())
                    {
                        yield break;
                    }
                }
                catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
                {
                    yield break;
                }

                var now = updates.Current.DeadSilos();
                var fresh = now.Except(dead).ToArray();
                dead = now;
                if (fresh.Length > 0)
                {
                    yield return fresh;
                }
            }
        }
        finally
        {
            await updates.DisposeAsync();
        }
    }
}
