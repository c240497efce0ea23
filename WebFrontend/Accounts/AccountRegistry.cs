using OrbitGrains.Accounts;

namespace OrbitGrains.WebFrontend.Accounts;

/// <summary>Why a sign-up did not create an account.</summary>
public enum SignUpRefusal
{
    /// <summary>The name (in any case) belongs to someone else.</summary>
    NameTaken,

    /// <summary>REGISTRATION=closed.</summary>
    Closed,

    /// <summary>REGISTRATION=invite, and no usable invite was given.</summary>
    InviteRequired,
}

/// <summary>A sign-up's outcome: the new account, or why there is none.</summary>
public sealed record SignUp(UserRecord? User, SignUpRefusal? Refusal)
{
    /// <summary>The message of a policy refusal (answered 403); null for a taken name, which each family words itself.</summary>
    public string? PolicyMessage => Refusal switch
    {
        SignUpRefusal.Closed => "Sign-ups are closed on this server; ask an admin for an account.",
        SignUpRefusal.InviteRequired => "A valid invite is required to sign up.",
        _ => null,
    };
}

/// <summary>
/// Creating accounts and finding them by the name a person types. Every new account is a member and nothing more:
/// operator and admin are granted by an admin. Sign-ups follow REGISTRATION; admins create accounts whatever it says.
/// Names must already be normalised (<see cref="UserNames.Normalise"/>).
/// </summary>
public sealed class AccountRegistry(IGrainFactory grains, AccountsOptions options)
{
    public static string NewUserId() => Guid.NewGuid().ToString("N");

    /// <summary>
    /// A sign-up under the server's policy, redeeming the invite (by the hash of its code, <see cref="InviteHash"/>) when
    /// invites are required. <paramref name="passkey"/> is written with the account (<see cref="NewUser.Passkey"/>).
    /// </summary>
    public async Task<SignUp> SignUpAsync(
        string userId, string name, string displayName, string? passwordHash, string? inviteHash, PasskeyRecord? passkey = null)
    {
        if (options.Registration == RegistrationMode.Closed)
        {
            return new SignUp(null, SignUpRefusal.Closed);
        }

        IInviteGrain? redeemed = null;
        if (options.Registration == RegistrationMode.Invite)
        {
            redeemed = InviteOf(inviteHash);
            if (redeemed is null || !await redeemed.Redeem(userId))
            {
                return new SignUp(null, SignUpRefusal.InviteRequired);
            }
        }

        var user = await CreateAsync(userId, name, displayName, passwordHash, [], passkey);
        if (user is null && redeemed is not null)
        {
            // The invite was not used up by an account that never came to be.
            await redeemed.Restore(userId);
        }

        return user is null ? new SignUp(null, SignUpRefusal.NameTaken) : new SignUp(user, null);
    }

    /// <summary>Whether a sign-up with this invite would pass the policy now (checked before a passkey ceremony; not used up).</summary>
    public async Task<SignUpRefusal?> PolicyRefusalAsync(string? inviteHash) => options.Registration switch
    {
        RegistrationMode.Closed => SignUpRefusal.Closed,
        RegistrationMode.Invite when InviteOf(inviteHash) is not { } grain || !await grain.IsUsable() => SignUpRefusal.InviteRequired,
        _ => null,
    };

    /// <summary>How an invite code is looked up (its SHA-256); null for no code or one no invite can have.</summary>
    public static string? InviteHash(string? code) => code?.Trim() is { Length: > 0 and <= 256 } text ? TokenHash.Of(text) : null;

    /// <summary>Creates an account whatever the sign-up policy (an admin's); null when the name is taken.</summary>
    public async Task<UserRecord?> CreateAsync(
        string userId, string name, string displayName, string? passwordHash, string[] roles, PasskeyRecord? passkey = null)
    {
        var claim = grains.GetGrain<IUserNameGrain>(UserNames.Key(name));
        if (!await claim.Claim(name, userId))
        {
            return null;
        }

        try
        {
            var user = grains.GetGrain<IUserGrain>(userId);
            await user.Create(new NewUser(name, displayName, passwordHash, roles, passkey));
            await grains.GetGrain<ISystemUsersGrain>(ISystemUsersGrain.Key).Enrol(userId, name);
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
    public async Task<UserRecord?> FindAsync(string typed)
    {
        var name = UserNames.ForLookup(typed);
        return name.Length is > 0 and <= UserNames.MaxLength * 4
            && await grains.GetGrain<IUserNameGrain>(UserNames.Key(name)).Resolve(name) is { } userId
            ? await grains.GetGrain<IUserGrain>(userId).Get()
            : null;
    }

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

    private IInviteGrain? InviteOf(string? inviteHash) => inviteHash is null ? null : grains.GetGrain<IInviteGrain>(inviteHash);
}
