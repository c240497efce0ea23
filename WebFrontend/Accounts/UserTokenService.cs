using OrbitGrains.Accounts;

namespace OrbitGrains.WebFrontend.Accounts;

public sealed record IssuedUserToken(UserRecord User, string Token, DateTimeOffset IssuedAt, DateTimeOffset? RotatedAt);

/// <summary>
/// Bearer user tokens (the agent dashboard's credential): opaque, shown once, stored as SHA-256, one active token per
/// user. Issuing a new one revokes the previous at once.
/// </summary>
public sealed class UserTokenService(IGrainFactory grains, TimeProvider clock)
{
    public const int MaxTokenLength = 512;

    public async Task<IssuedUserToken> IssueAsync(UserRecord user)
    {
        var token = TokenHash.NewToken(32);
        var hash = TokenHash.Of(token);
        var now = clock.GetUtcNow();
        await grains.GetGrain<IUserTokenGrain>(hash).Issue(user.Id, now);
        var previous = await grains.GetGrain<IUserGrain>(user.Id).SwapUserToken(hash);
        if (previous is null)
        {
            return new IssuedUserToken(user, token, now, null);
        }

        await grains.GetGrain<IUserTokenGrain>(previous).Revoke();
        return new IssuedUserToken(user, token, now, now);
    }

    /// <summary>The token's user while the token is live and the account enabled; each successful call records the use.</summary>
    public async Task<UserRecord?> ValidateAsync(string? token)
    {
        if (token is not { Length: > 0 and <= MaxTokenLength })
        {
            return null;
        }

        return await grains.GetGrain<IUserTokenGrain>(TokenHash.Of(token)).Use() is { } userId
            && await grains.GetGrain<IUserGrain>(userId).Get() is { Disabled: false } user
            ? user
            : null;
    }

    /// <summary>Revokes the token with this hash (the caller's own, from its principal).</summary>
    public async Task RevokeAsync(string userId, string tokenHash)
    {
        await grains.GetGrain<IUserTokenGrain>(tokenHash).Revoke();
        var current = await grains.GetGrain<IUserGrain>(userId).SwapUserToken(null);
        if (current is not null && current != tokenHash)
        {
            // Another token became active meanwhile: it stays the active one.
            await grains.GetGrain<IUserGrain>(userId).SwapUserToken(current);
        }
    }

    /// <summary>Ends the user's active token, whichever it is (the owner signed in on the web, not holding the token).</summary>
    public async Task RevokeActiveAsync(UserRecord user)
    {
        if (await grains.GetGrain<IUserGrain>(user.Id).SwapUserToken(null) is { } active)
        {
            await grains.GetGrain<IUserTokenGrain>(active).Revoke();
        }
    }
}
