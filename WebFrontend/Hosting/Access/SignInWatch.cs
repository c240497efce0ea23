namespace OrbitGrains.WebFrontend.Hosting.Access;

/// <summary>
/// Checks the sign-in behind a long-lived request (a relay or proxy socket, an event stream) again every period: the
/// credential was checked when the request came, and its sign-in (its token family, not the exact token, so a refresh
/// while connected keeps the request open; <see cref="SignInChecks"/>) is checked now and then. When it no longer
/// stands (logout, disable, a reused refresh token, a replaced user token) <c>onEnded</c> runs once. The account's
/// watch (<see cref="AccountSockets"/>) usually gets there first; this check also covers what sends no notice.
/// </summary>
/// <remarks>
/// A timer callback rather than a loop awaiting a periodic timer: an idle socket then holds one timer, not a suspended
/// loop with its own cancellation source. A check that cannot be answered (the account grains unreachable) leaves the
/// request open; the next tick tries again. Ticks that come while a check runs are skipped.
/// </remarks>
public sealed partial class SignInWatch : IDisposable
{
    private readonly HttpContext _context;
    private readonly CurrentUser _user;
    private readonly string _credential;
    private readonly Action _onEnded;
    private readonly SignInChecks _checks;
    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private int _checking;
    private volatile bool _disposed;

    private SignInWatch(HttpContext context, CurrentUser user, string credential, TimeSpan period, Action onEnded, ILogger logger)
    {
        var services = context.RequestServices;
        (_context, _user, _credential, _onEnded, _logger) = (context, user, credential, onEnded, logger);
        _checks = services.GetRequiredService<SignInChecks>();
        _timer = services.GetRequiredService<TimeProvider>().CreateTimer(static state => ((SignInWatch)state!).Tick(), this, period, period);
    }

    /// <summary>
    /// Starts checking the sign-in of <paramref name="user"/>, who presented <paramref name="credential"/>, every
    /// <paramref name="period"/> until the returned watch is disposed (when the request ends); <paramref name="onEnded"/>
    /// runs at most once, on a timer thread, when the sign-in no longer stands.
    /// </summary>
    public static SignInWatch Start(HttpContext context, CurrentUser user, string credential, TimeSpan period, Action onEnded, ILogger logger) =>
        new(context, user, credential, period, onEnded, logger);

    public void Dispose()
    {
        _disposed = true;
        _timer.Dispose();
    }

    private void Tick()
    {
        if (!_disposed && Interlocked.Exchange(ref _checking, 1) == 0)
        {
            _ = CheckAsync();
        }
    }

    private async Task CheckAsync()
    {
        try
        {
            if (!await _checks.IsLiveAsync(_context, _user, _credential) && !_disposed)
            {
                Dispose();
                _onEnded();
            }
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException)
        {
            // The account grains could not answer this time: a request is not ended on a doubt.
        }
        catch (ObjectDisposedException) when (_disposed)
        {
            // The request ended while its check ran (its services are gone).
        }
        catch (Exception ex)
        {
            LogCheckFailed(_logger, ex, _user.Id ?? _user.Name);
        }
        finally
        {
            Volatile.Write(ref _checking, 0);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Checking the sign-in behind an open connection of {UserId} failed; it stays open and is checked again at the next period")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception, string userId);
}
