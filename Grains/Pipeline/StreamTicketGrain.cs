namespace OrbitGrains.Pipeline;

/// <summary>
/// A stream ticket (see <see cref="IStreamTicketGrain"/>). One activation in the cluster is what makes a ticket
/// single-use across front ends; the state is memory only and goes with the activation once the ticket is spent or
/// expired, after which the key is simply unknown (refused).
/// </summary>
[Orleans.Placement.PreferLocalPlacement]
public sealed class StreamTicketGrain(TimeProvider clock) : Grain, IStreamTicketGrain
{
    private StreamTicketGrant? _grant;
    private bool _used;

    public Task<bool> Issue(StreamTicketGrant grant)
    {
        if (_grant is not null)
        {
            return Task.FromResult(false);
        }

        _grant = grant;
        var due = grant.ExpiresAt - clock.GetUtcNow();
        // The activation (and with it the ticket) goes at expiry, used or not.
        this.RegisterGrainTimer(_ =>
        {
            DeactivateOnIdle();
            return Task.CompletedTask;
        }, new GrainTimerCreationOptions { DueTime = due < TimeSpan.Zero ? TimeSpan.Zero : due, Period = Timeout.InfiniteTimeSpan, KeepAlive = true });
        return Task.FromResult(true);
    }

    public Task<StreamTicketRedemption> Redeem(string scope)
    {
        if (_grant is not { } grant)
        {
            DeactivateOnIdle();
            return Answer(StreamTicketStatus.Unknown);
        }

        if (clock.GetUtcNow() >= grant.ExpiresAt)
        {
            return Answer(StreamTicketStatus.Expired);
        }

        if (_used)
        {
            return Answer(StreamTicketStatus.Used);
        }

        // Presented for another stream: refused, but not spent, since nothing was opened with it.
        if (!string.Equals(grant.Scope, scope, StringComparison.Ordinal))
        {
            return Answer(StreamTicketStatus.WrongScope);
        }

        _used = true;
        return Task.FromResult(new StreamTicketRedemption(StreamTicketStatus.Accepted, grant));
    }

    private static Task<StreamTicketRedemption> Answer(StreamTicketStatus status) => Task.FromResult(new StreamTicketRedemption(status, null));
}
