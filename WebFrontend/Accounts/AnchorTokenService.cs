using OrbitGrains.Accounts;

namespace OrbitGrains.WebFrontend.Accounts;

public sealed record AnchorTokenPair(string AccessToken, string RefreshToken, int AccessExpiresIn, string UserId);

/// <summary>An Anchor's opaque access and refresh tokens. A refresh spends the refresh token and revokes the old access token.</summary>
public sealed class AnchorTokenService(IGrainFactory grains, AccountsOptions options, TimeProvider clock)
{
    private const int TokenBytes = 48;

    public async Task<AnchorTokenPair> IssueAsync(string userId)
    {
        var now = clock.GetUtcNow();
        var access = TokenHash.NewToken(TokenBytes);
        var refresh = TokenHash.NewToken(TokenBytes);
        var accessHash = TokenHash.Of(access);
        await grains.GetGrain<IAnchorTokenGrain>(accessHash)
            .Issue(new AnchorTokenIssue(AnchorTokenKind.Access, userId, now + options.AnchorAccessTtl, PeerHash: null));
        await grains.GetGrain<IAnchorTokenGrain>(TokenHash.Of(refresh))
            .Issue(new AnchorTokenIssue(AnchorTokenKind.Refresh, userId, now + options.AnchorRefreshTtl, accessHash));
        return new AnchorTokenPair(access, refresh, (int)options.AnchorAccessTtl.TotalSeconds, userId);
    }

    public async Task<AnchorTokenPair?> RefreshAsync(string refreshToken)
    {
        if (refreshToken.Length > WebTokenService.MaxTokenLength)
        {
            return null;
        }

        var userId = await grains.GetGrain<IAnchorTokenGrain>(TokenHash.Of(refreshToken)).Redeem();
        return userId is null ? null : await IssueAsync(userId);
    }

    /// <summary>The user of a live anchor access token, or null.</summary>
    public async Task<string?> ValidateAccessAsync(string? token) =>
        string.IsNullOrEmpty(token) || token.Length > WebTokenService.MaxTokenLength
            ? null
            : await grains.GetGrain<IAnchorTokenGrain>(TokenHash.Of(token)).ValidateAccess();
}
