using OrbitGrains.WebFrontend.Hosting;

namespace OrbitGrains.Tests.Hosting;

/// <summary>Which failures of a request answer 503 with Retry-After (the cluster recovering) rather than 500.</summary>
public sealed class ClusterUnavailableTests
{
    public static TheoryData<Exception, bool> Failures => new()
    {
        { new SiloUnavailableException(), true },
        { new TimeoutException("response did not arrive on time"), true },
        // Orleans cancels the calls still waiting on a silo once membership declares it dead.
        { new OperationCanceledException(), true },
        { new TaskCanceledException(), true },
        { new InvalidOperationException("wrapped", new OperationCanceledException()), true },
        { new OrleansException("No active nodes are compatible with grain"), true },
        // The runtime wraps a storage provider's failure (here a database error) in its own exception.
        { new OrleansException("Error from storage provider during WriteStateAsync", new InvalidOperationException("injected storage fault")), true },
        { new OrleansConfigurationException("bad configuration"), false },
        { new InvalidOperationException("a defect"), false },
        { new ArgumentException("a defect"), false },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void A_failure_is_the_cluster_recovering_only_when_the_runtime_says_so(Exception failure, bool unavailable) =>
        Assert.Equal(unavailable, ClusterUnavailable.Is(failure));
}
