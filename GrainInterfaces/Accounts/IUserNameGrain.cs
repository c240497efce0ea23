namespace OrbitGrains.Accounts;

/// <summary>
/// Keyed by the lower-case (invariant) form of a name, so every spelling that differs only in case meets in one
/// activation: uniqueness is on the exact spelling, and a case-insensitive lookup still has one place to ask.
/// </summary>
[Alias("OrbitGrains.Accounts.IUserNameGrain")]
public interface IUserNameGrain : IGrainWithStringKey
{
    /// <summary>Claims the exact spelling for a user; false when another user already holds it.</summary>
    [Alias("Claim")]
    Task<bool> Claim(string exactName, string userId);

    /// <summary>Gives a spelling back, only if it is held by that user (undoing a registration that failed later).</summary>
    [Alias("Release")]
    Task Release(string exactName, string userId);

    /// <summary>The user of the exact spelling, else of the oldest spelling that matches ignoring case.</summary>
    [Alias("Resolve")]
    Task<string?> Resolve(string name);
}
