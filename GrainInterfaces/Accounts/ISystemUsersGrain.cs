namespace OrbitGrains.Accounts;

/// <summary>
/// Whether the system has any user and who came first. Written once per registration, read by /auth/session;
/// the first user of a fresh system becomes admin, decided here so that two concurrent sign-ups cannot both win.
/// </summary>
[Alias("OrbitGrains.Accounts.ISystemUsersGrain")]
public interface ISystemUsersGrain : IGrainWithStringKey
{
    public const string Key = "system";

    /// <summary>Records a new user; true when it is the first user the system has ever had.</summary>
    [Alias("Enrol")]
    Task<bool> Enrol(string userId);

    [Alias("HasUsers")]
    Task<bool> HasUsers();

    /// <summary>The oldest user, who receives the bootstrap user token when no email is named.</summary>
    [Alias("FirstUser")]
    Task<string?> FirstUser();
}
