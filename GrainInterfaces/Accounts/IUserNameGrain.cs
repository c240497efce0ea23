namespace OrbitGrains.Accounts;

/// <summary>
/// Keyed by the lower-case (invariant) form of a normalised name (NFKC), so every spelling that differs only in case
/// meets in one activation: a name is unique ignoring case, as the Orbit original is ("ANCHORUSER" after "anchoruser"
/// is taken). Spellings claimed before that rule may share a grain; a lookup prefers the exact one.
/// </summary>
[Alias("OrbitGrains.Accounts.IUserNameGrain")]
public interface IUserNameGrain : IGrainWithStringKey
{
    /// <summary>Claims the spelling for a user; false when another user holds any spelling of it.</summary>
    [Alias("Claim")]
    Task<bool> Claim(string exactName, string userId);

    /// <summary>Gives a spelling back, only if it is held by that user (undoing a registration that failed later).</summary>
    [Alias("Release")]
    Task Release(string exactName, string userId);

    /// <summary>The user of the exact spelling, else of the oldest spelling that matches ignoring case.</summary>
    [Alias("Resolve")]
    Task<string?> Resolve(string name);
}
