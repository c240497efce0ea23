using OrbitGrains.Accounts;

namespace OrbitGrains.WebFrontend.Hosting.Access;

/// <summary>
/// Whether the sign-in behind an open socket still stands. A socket outlives its access token by design (the client
/// refreshes while connected), so what is checked is the sign-in: its token family is live and the account accepts it.
/// A credential without a family is checked again as itself.
/// </summary>
public sealed class SignInChecks(IGrainFactory grains)
{
    public async Task<bool> IsLiveAsync(HttpContext context, CurrentUser user, string credential)
    {
        if (user.FamilyId is { } familyId)
        {
            var account = user.Id is { } id ? await grains.GetGrain<IUserGrain>(id).Get() : null;
            return account is not { Disabled: true }
                && await grains.GetGrain<ITokenFamilyGrain>(familyId).IsLive(account?.CredentialsNotBefore);
        }

        return await TokenAuthenticator.HandlerAsync(context, user.Kind) is { } handler
            && await handler.ValidateAsync(credential) is { } principal
            && CurrentUser.From(principal)?.Id == user.Id;
    }
}
