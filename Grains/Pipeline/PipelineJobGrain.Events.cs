using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace OrbitGrains.Pipeline;

public sealed partial class PipelineJobGrain
{
    // The newest event id in the stored state: only events up to it are offered to the event log.
    private long _storedEventId;
    private string? _lastEventStatus;

    public Task<PendingEvents?> PendingEvents()
    {
        if (!Exists)
        {
            return Task.FromResult<PendingEvents?>(null);
        }

        var stored = S.Events.Concat(S.Outbox).Where(e => e.Id <= _storedEventId).ToArray();
        return Task.FromResult<PendingEvents?>(new PendingEvents(stored, KeepEvents));
    }

    private IPipelineJobEventsGrain EventLog => GrainFactory.GetGrain<IPipelineJobEventsGrain>(JobId);

    private int KeepEvents => S.Settings is { MaxEvents: > 0 and < PipelineJobEventsGrain.MaxStoredEvents } settings
        ? settings.MaxEvents
        : PipelineJobEventsGrain.MaxStoredEvents;

    private bool HasEventsToHandOver => S.Events.Count > 0 || S.Outbox.Count > 0;

    private void Emit(string type, string? stage, string message, object payload)
    {
        var now = clock.GetUtcNow();
        S.UpdatedAt = now;
        // Every status change emits an event, so a status the previous event did not carry is one the job just entered.
        if (S.LastEventId == 0 || _lastEventStatus != S.Status)
        {
            meter.Pipeline.Entered(S.Status);
        }

        _lastEventStatus = S.Status;
        S.Outbox.Add(new PipelineEvent(++S.LastEventId, now, type, stage, S.Status, message, JsonSerializer.Serialize(payload)));
    }

    /// <summary>
    /// Stores the job with its new events first, then hands the events to the event log: an event a client sees is
    /// always one a replay can give again, and one the job stored reaches the log even if this silo stops right here.
    /// </summary>
    private async Task SaveAndPublishAsync()
    {
        await store.WriteStateAsync();
        _storedEventId = S.LastEventId;
        await HandOverEventsAsync();
    }

    /// <summary>Hands the stored events to the event log; they stay with the job (and are offered again) until it has them.</summary>
    private async Task HandOverEventsAsync()
    {
        if (!HasEventsToHandOver)
        {
            return;
        }

        var legacy = S.Events.Count > 0;
        try
        {
            await EventLog.Append([.. S.Events, .. S.Outbox], KeepEvents);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The events are stored with the job: the next transition, the watchdog or the next activation offers them again.
            logger.LogWarning(ex, "Could not hand events of job {Job} to its event log", JobId);
            return;
        }

        // An emptied outbox is stored with the next transition (a batch offered twice is kept once); events of the
        // layout before the event log are dropped from the job's row at once, as nothing else may write it again.
        S.Events.Clear();
        S.Outbox.Clear();
        if (legacy)
        {
            await store.WriteStateAsync();
        }
    }
}
