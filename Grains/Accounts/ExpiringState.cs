namespace OrbitGrains.Accounts;

/// <summary>State that ends at a known instant.</summary>
public interface IExpiringState
{
    DateTimeOffset ExpiresAt { get; }
}

/// <summary>
/// Expiry for grains whose state ends at a known instant. Every read checks the clock, so expiry never waits for a
/// background job; a durable reminder removes state that nobody reads again (an abandoned session, an unused token).
/// </summary>
public static class ExpiringStateExtensions
{
    public const string ReminderName = "expire";

    // Reminders fire no sooner than a minute, and a local timer cannot wait longer than ~49 days: a later expiry is
    // reached in steps, the reminder simply moving itself on when it fires early.
    private static readonly TimeSpan MinimumDue = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan MaximumDue = TimeSpan.FromDays(30);
    private static readonly TimeSpan Period = TimeSpan.FromDays(1);

    /// <summary>Writes the state and schedules its removal at its expiry.</summary>
    public static async Task WriteExpiringAsync<T>(this IPersistentState<T> state, TimeProvider clock, IGrainBase grain)
        where T : IExpiringState
    {
        await state.WriteStateAsync();
        await grain.RegisterOrUpdateReminder(ReminderName, Due(state.State.ExpiresAt, clock), Period);
    }

    /// <summary>True while the record exists and has not expired; an expired record is removed on the spot.</summary>
    public static async ValueTask<bool> IsLiveAsync<T>(this IPersistentState<T> state, TimeProvider clock, IGrainBase grain)
        where T : IExpiringState
    {
        if (!state.RecordExists)
        {
            return false;
        }

        if (clock.GetUtcNow() < state.State.ExpiresAt)
        {
            return true;
        }

        await state.EndAsync(grain);
        return false;
    }

    /// <summary>Removes the state and its reminder, and lets the activation go.</summary>
    public static async Task EndAsync<T>(this IPersistentState<T> state, IGrainBase grain)
    {
        if (state.RecordExists)
        {
            await state.ClearStateAsync();
        }

        if (await grain.GetReminder(ReminderName) is { } reminder)
        {
            await grain.UnregisterReminder(reminder);
        }

        grain.DeactivateOnIdle();
    }

    /// <summary>The expiry reminder's handler. Idempotent: reminders may fire late or twice.</summary>
    public static async Task OnExpiryReminderAsync<T>(this IPersistentState<T> state, TimeProvider clock, IGrainBase grain)
        where T : IExpiringState
    {
        if (await state.IsLiveAsync(clock, grain))
        {
            await grain.RegisterOrUpdateReminder(ReminderName, Due(state.State.ExpiresAt, clock), Period);
            return;
        }

        await state.EndAsync(grain);
    }

    private static TimeSpan Due(DateTimeOffset expiresAt, TimeProvider clock)
    {
        var due = expiresAt - clock.GetUtcNow();
        return due < MinimumDue ? MinimumDue : due > MaximumDue ? MaximumDue : due;
    }
}
