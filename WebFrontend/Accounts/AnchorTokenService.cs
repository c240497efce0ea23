using OrbitGrains.Accounts;

namespace OrbitGrains.WebFrontend.Accounts;

public sealed record AnchorTokenPair(string AccessToken, string RefreshToken, int AccessExpiresIn, string UserId);

/// <summary>
/// An Anchor's opaque access and refresh tokens. A refresh spends the refresh token and revokes the old access token;
/// every pair grown from one device-code sign-in shares a family, which a reused refresh token revokes whole.
/// </summary>
public sealed class AnchorTokenService(IGrainFactory grains, AccountsOptions options, TimeProvider clock)
{
    private const int TokenBytes = 48;

    /// <summary>The first pair of a device-code sign-in, in a family of its own.</summary>
    public async Task<AnchorTokenPair> IssueAsync(string userId) =>
        await IssueInFamilyAsync(userId, Guid.NewGuid().ToString("N"))
        ?? throw new InvalidOperationException("A family made a moment ago cannot have been revoked.");

    /// <summary>Spends a refresh token for a new pair in the same family; null for anything not live.</summary>
    public async Task<AnchorTokenPair?> RefreshAsync(string refreshToken)
    {
        if (refreshToken.Length > WebTokenService.MaxTokenLength)
        {
            return null;
        }

        var grant = await grains.GetGrain<IAnchorTokenGrain>(TokenHash.Of(refreshToken)).Redeem();
        // A token stored before families existed starts one here, so its successors are protected.
        return grant is null ? null : await IssueInFamilyAsync(grant.UserId, grant.FamilyId ?? Guid.NewGuid().ToString("N"));
    }

    /// <summary>The user of a live anchor access token, or null.</summary>
    public async Task<string?> ValidateAccessAsync(string? token) =>
        string.IsNullOrEmpty(token) || token.Length > WebTokenService.MaxTokenLength
            ? null
            : await grains.GetGrain<IAnchorTokenGrain>(TokenHash.Of(token)).ValidateAccess();

    /// <summary>Null when the family has been revoked meanwhile (the new pair is then revoked too).</summary>
    private async Task<AnchorTokenPair?> IssueInFamilyAsync(string userId, string familyId)
    {
        var now = clock.GetUtcNow();
        var accessExpires = now + options.AnchorAccessTtl;
        var refreshExpires = now + options.AnchorRefreshTtl;
        var access = TokenHash.NewToken(TokenBytes);
        var refresh = TokenHash.NewToken(TokenBytes);
        var accessHash = TokenHash.Of(access);
        var refreshHash = TokenHash.Of(refresh);
        await grains.GetGrain<IAnchorTokenGrain>(accessHash)
            .Issue(new AnchorTokenIssue(AnchorTokenKind.Access, userId, accessExpires, PeerHash: null, familyId));
        await grains.GetGrain<IAnchorTokenGrain>(refreshHash)
            .Issue(new AnchorTokenIssue(AnchorTokenKind.Refresh, userId, refreshExpires, accessHash, familyId));
        // Only the access token joins the family: a refresh token asks the family itself before it is honoured
        // (and a family revoking a refresh token would call back into the token whose reuse revoked it).
        if (!await grains.GetGrain<ITokenFamilyGrain>(familyId).Add([new FamilyMember(FamilyMemberKind.AnchorToken, accessHash, accessExpires)], refreshExpires))
        {
            return null;
        }

        return new AnchorTokenPair(access, refresh, (int)options.AnchorAccessTtl.TotalSeconds, userId);
    }
}
