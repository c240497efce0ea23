using System.Collections.Concurrent;
using System.Globalization;
using OrbitGrains.Rooms;

namespace OrbitGrains.WebFrontend.Rooms;

/// <summary>
/// Failed signaling authentications, audited in aggregate: this front end counts them per address and window
/// (ROOM_AUTH_AUDIT_WINDOW_SEC, a minute by default) and writes one `auth_failed` entry per address and window to the
/// global audit log, so a flood of bad tokens costs one durable entry a minute per address, not one per attempt.
/// </summary>
public sealed partial class RoomAuthFailures(IGrainFactory grains, RoomsOptions options, TimeProvider clock, ILogger<RoomAuthFailures> logger)
    : BackgroundService
{
    private readonly ConcurrentDictionary<(long Window, string Address), int> _counts = new();

    public void Record(string? address) =>
        _counts.AddOrUpdate((WindowOf(clock.GetUtcNow()), address ?? "unknown"), 1, (_, n) => n + 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.AuthAuditWindow / 4, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(closedOnly: true);
            }
        }
        catch (OperationCanceledException)
        {
        }

        await FlushAsync(closedOnly: false);
    }

    private async Task FlushAsync(bool closedOnly)
    {
        var current = WindowOf(clock.GetUtcNow());
        foreach (var key in _counts.Keys.Where(k => !closedOnly || k.Window < current).ToArray())
        {
            if (!_counts.TryRemove(key, out var count))
            {
                continue;
            }

            var start = DateTimeOffset.FromUnixTimeMilliseconds(key.Window * (long)options.AuthAuditWindow.TotalMilliseconds);
            var detail = string.Create(CultureInfo.InvariantCulture,
                $"{count} failed authentication(s) from {start:O} for {options.AuthAuditWindow.TotalSeconds:0} s");
            try
            {
                await grains.GetGrain<IAuditLogGrain>(SessionRoomGrain.GlobalRoom)
                    .Append(new AuditEntry(0, clock.GetUtcNow(), "auth_failed", null, null, null, key.Address, detail));
            }
            catch (Exception ex) when (ex is TimeoutException or OrleansException)
            {
                // Counted again into the next flush rather than lost.
                _counts.AddOrUpdate(key, count, (_, n) => n + count);
                LogAuditFailed(ex, key.Address);
            }
        }
    }

    private long WindowOf(DateTimeOffset at) => at.ToUnixTimeMilliseconds() / (long)options.AuthAuditWindow.TotalMilliseconds;

    [LoggerMessage(Level = LogLevel.Error, Message = "Failed room authentications from {Address} could not be audited yet")]
    private partial void LogAuditFailed(Exception exception, string address);
}
