using OrbitGrains.Accounts;

namespace OrbitGrains.WebFrontend.Accounts;

/// <summary>Creating accounts and finding them by the name a person types.</summary>
public sealed class AccountRegistry(IGrainFactory grains, AccountsOptions options)
{
    public const string AdminRole = "admin";
    public const string OperatorRole = "operator";

    /// <summary>The new user, or null when the exact name is taken.</summary>
    public Task<UserRecord?> RegisterAsync(string name, string displayName, string? passwordHash) =>
        RegisterAsync(Guid.NewGuid().ToString("N"), name, displayName, passwordHash);

    /// <summary>As above, under an id chosen beforehand (a passkey ceremony names the user before the account exists).</summary>
    public async Task<UserRecord?> RegisterAsync(string userId, string name, string displayName, string? passwordHash)
    {
        var claim = grains.GetGrain<IUserNameGrain>(NameKey(name));
        if (!await claim.Claim(name, userId))
        {
            return null;
        }

        try
        {
            var first = await grains.GetGrain<ISystemUsersGrain>(ISystemUsersGrain.Key).Enrol(userId);
            string[] roles = [first || options.AdminUsers.Contains(name) ? AdminRole : OperatorRole];
            var user = grains.GetGrain<IUserGrain>(userId);
            await user.Create(new NewUser(name, displayName, passwordHash, roles));
            return await user.Get();
        }
        catch
        {
            // The name must not stay claimed by an account that was never written.
            await claim.Release(name, userId);
            throw;
        }
    }

    /// <summary>The user whose name matches exactly, else ignoring case.</summary>
    public async Task<UserRecord?> FindAsync(string name) =>
        await grains.GetGrain<IUserNameGrain>(NameKey(name)).Resolve(name) is { } userId
            ? await grains.GetGrain<IUserGrain>(userId).Get()
            : null;

    /// <summary>Accounts are never deleted, so once the answer is yes it is remembered on this node.</summary>
    public async Task<bool> SystemHasUsersAsync()
    {
        if (_systemHasUsers)
        {
            return true;
        }

        return _systemHasUsers = await grains.GetGrain<ISystemUsersGrain>(ISystemUsersGrain.Key).HasUsers();
    }

    private volatile bool _systemHasUsers;

    private static string NameKey(string name) => name.ToLowerInvariant();
}
