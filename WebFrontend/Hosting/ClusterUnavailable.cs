namespace OrbitGrains.WebFrontend.Hosting;

/// <summary>
/// A grain call that failed because the silo holding the grain is gone or unreachable, or because the grain's state
/// could not be stored. Between a node's loss (a SIGKILL, a machine gone) and the moment the cluster declares it dead
/// (Orleans' failure detection: missed probes, a few seconds with the defaults), calls to its grains are refused;
/// afterwards the grains activate elsewhere. A failed storage write reaches the caller as Orleans' own exception (the
/// runtime wraps the provider's), and the grain keeps or drops what it changed so a repeated call finds it as stored.
/// A refused call was not carried out; a call that timed out may or may not have been. Either way nothing was
/// acknowledged and the client should try again shortly, so the request answers 503 with <c>Retry-After</c>
/// (RFC 9110 §15.6.4, §10.2.3) rather than 500, and a socket whose frame could not be handed over is closed 1012
/// (Service Restart).
/// </summary>
public static class ClusterUnavailable
{
    /// <summary>The ProblemDetails <c>detail</c> (and <c>error</c>) of such a 503; true of a lost node and of a failed storage write alike.</summary>
    public const string Message = "Part of the cluster or its storage is unavailable for the moment (a lost node, or a storage write that failed); retry shortly.";

    /// <summary>Seconds a client should wait before retrying (the Retry-After value).</summary>
    public const int RetryAfterSeconds = 1;

    /// <summary>
    /// True for Orleans' refusals of a message to an unreachable silo (<see cref="OrleansMessageRejectionException"/>,
    /// <see cref="SiloUnavailableException"/> among them), for the runtime's own failures while membership changes
    /// (an <see cref="OrleansException"/> such as "no active nodes are compatible with grain ..." from placement while
    /// silos are declared dead or join; configuration errors excepted), for a grain call that timed out, and for one
    /// the runtime canceled (Orleans cancels the calls still waiting on a silo once membership declares it dead, and
    /// the caller sees <see cref="OperationCanceledException"/>; a request its client gave up on never gets here), and
    /// for a failed storage read or write (an <see cref="OrleansException"/> around the provider's), wherever in the
    /// chain of inner exceptions they are.
    /// </summary>
    public static bool Is(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is OrleansMessageRejectionException or TimeoutException or OperationCanceledException
                || (current is OrleansException && current is not OrleansConfigurationException))
            {
                return true;
            }
        }

        return false;
    }
}
