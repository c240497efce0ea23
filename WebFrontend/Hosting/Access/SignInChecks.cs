using OrbitGrains.Accounts;

namespace OrbitGrains.WebFrontend.Hosting.Access;

/// <summary>
/// Whether the sign-in behind an open socket or stream still stands. A socket outlives its access token by design (the
/// client refreshes while connected), so what is checked is the sign-in: its token family is live and the account
/// accepts it. A credential without a family is checked again as itself, except a single-use one (a stream ticket,
/// spent when the request came), for which the account is checked, and the user token the ticket was asked for with.
/// </summary>
public sealed class SignInChecks(IGrainFactory grains)
{
    public async Task<bool> IsLiveAsync(HttpContext context, CurrentUser user, string credential)
    {
        if (user.FamilyId is { } familyId)
        {
            var account = await AccountAsync(user);
            return account is not { Disabled: true }
                && await grains.GetGrain<ITokenFamilyGrain>(familyId).IsLive(account?.CredentialsNotBefore);
        }

        return await TokenAuthenticator.HandlerAsync(context, user.Kind) switch
        {
            null => false,
            // A ticket that named no person (the admin token's) stands as the static credential behind it does.
            { SingleUse: true } => user.Id is null
                || await AccountAsync(user) is { Disabled: false } && (user.TokenHash is null || await UserTokenLiveAsync(user.TokenHash, user.Id)),
            var handler => await handler.ValidateAsync(credential) is { } principal && CurrentUser.From(principal)?.Id == user.Id,
        };
    }

    /// <summary>
    /// The account of a ticket's issuer when the ticket may still speak for it: the account exists and accepts a
    /// credential issued at <paramref name="issuedAt"/> (not disabled, not signed out everywhere since), the issuer's
    /// sign-in <paramref name="familyId"/>, when there was one, is live, and so is the user token (SHA-256 hex)
    /// <paramref name="tokenHash"/> it was asked for with, when there was one (not replaced or revoked). Null otherwise.
    /// </summary>
    public async Task<UserRecord?> IssuerAsync(string userId, string? familyId, string? tokenHash, DateTimeOffset issuedAt)
    {
        var account = await grains.GetGrain<IUserGrain>(userId).Get();
        if (account is null || !account.Accepts(issuedAt))
        {
            return null;
        }

        if (tokenHash is not null && !await UserTokenLiveAsync(tokenHash, userId))
        {
            return null;
        }

        return familyId is null || await grains.GetGrain<ITokenFamilyGrain>(familyId).IsLive(account.CredentialsNotBefore) ? account : null;
    }

    private async Task<bool> UserTokenLiveAsync(string tokenHash, string userId) => await grains.GetGrain<IUserTokenGrain>(tokenHash).Use() == userId;

    private async Task<UserRecord?> AccountAsync(CurrentUser user) => user.Id is { } id ? await grains.GetGrain<IUserGrain>(id).Get() : null;
}
