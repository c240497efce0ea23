namespace OrbitGrains.Accounts;

/// <summary>State that ends at a known instant.</summary>
public interface IExpiringState
{
    DateTimeOffset ExpiresAt { get; }
}

public static class ExpiringStateExtensions
{
    /// <summary>
    /// True while the record exists and has not expired. An expired record is cleared from the store on the spot and
    /// the activation asked to go, so expiry never depends on a background sweep having run.
    /// </summary>
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

        await state.ClearStateAsync();
        grain.DeactivateOnIdle();
        return false;
    }
}
