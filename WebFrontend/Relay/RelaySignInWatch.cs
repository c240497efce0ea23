using System.Net.WebSockets;
using OrbitGrains.Relay;
using OrbitGrains.WebFrontend.Hosting.Access;

namespace OrbitGrains.WebFrontend.Relay;

/// <summary>
/// Checks an open relay socket's sign-in again every RELAY_REVALIDATE_SEC (<see cref="RelayOptions.Revalidate"/>): the
/// credential was checked at the handshake, and its sign-in (its token family, not the exact token, so a refresh while
/// connected keeps the socket open) is checked now and then. Logout, disable or reuse close the socket 4401; the
/// account's watch (<see cref="AccountSockets"/>) usually gets there first.
/// </summary>
/// <remarks>
/// A timer callback rather than a loop awaiting a periodic timer: an idle socket then holds one timer, not a suspended
/// loop with its own cancellation source. A check that cannot be answered (the account grains unreachable) leaves the
/// socket open; the next tick tries again. Ticks that come while a check runs are skipped.
/// </remarks>
public sealed partial class RelaySignInWatch : IDisposable
{
    private readonly HttpContext _context;
    private readonly RelaySocket _socket;
    private readonly CurrentUser _user;
    private readonly string _credential;
    private readonly SignInChecks _checks;
    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private int _checking;
    private volatile bool _disposed;

    private RelaySignInWatch(HttpContext context, RelaySocket socket, CurrentUser user, string credential, ILogger logger)
    {
        var services = context.RequestServices;
        (_context, _socket, _user, _credential, _logger) = (context, socket, user, credential, logger);
        _checks = services.GetRequiredService<SignInChecks>();
        var period = services.GetRequiredService<RelayOptions>().Revalidate;
        _timer = services.GetRequiredService<TimeProvider>().CreateTimer(static state => ((RelaySignInWatch)state!).Tick(), this, period, period);
    }

    /// <summary>Starts checking <paramref name="socket"/>'s sign-in until the returned watch is disposed (when the socket ends).</summary>
    public static RelaySignInWatch Start(HttpContext context, RelaySocket socket, CurrentUser user, string credential, ILogger logger) =>
        new(context, socket, user, credential, logger);

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
                _socket.Close((WebSocketCloseStatus)RelayCloseCodes.Unauthorised, "Session ended");
                Dispose();
            }
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException)
        {
            // The account grains could not answer this time: a socket is not closed on a doubt.
        }
        catch (ObjectDisposedException) when (_disposed)
        {
            // The socket ended while its check ran (its request's services are gone).
        }
        catch (Exception ex)
        {
            LogCheckFailed(_logger, ex, _socket.Connection.ConnectionId);
        }
        finally
        {
            Volatile.Write(ref _checking, 0);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Checking the sign-in of relay socket {ConnectionId} failed; it stays open and is checked again at the next period")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception, string connectionId);
}
