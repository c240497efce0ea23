using System.Text.Json;
using OrbitGrains.Accounts;

namespace OrbitGrains.WebFrontend.Accounts;

public sealed record AnchorTokenPair(string AccessToken, string RefreshToken, int AccessExpiresIn, string UserId);

/// <summary>A live anchor access token: whose it is and which device-code sign-in (token family) it grew from.</summary>
public sealed record AnchorAccess(string UserId, string? FamilyId);

/// <summary>
/// An Anchor's opaque access and refresh tokens (spec orbit.md). A refresh spends the refresh token and revokes the old
/// access token; every pair grown from one device-code sign-in shares a family, which a refresh token reused after the
/// grace window revokes whole. The same refresh token twice within the window gets the same new pair.
/// </summary>
public sealed class AnchorTokenService(IGrainFactory grains, AccountsOptions options, TimeProvider clock, RefreshChains chains)
{
    private const int TokenBytes = 48;

    /// <summary>The first pair of a device-code sign-in, in a family of its own.</summary>
    public async Task<AnchorTokenPair> IssueAsync(string userId) =>
        await StartChainAsync(userId, Guid.NewGuid().ToString("N"))
        ?? throw new InvalidOperationException("A family made a moment ago cannot have been revoked.");

    /// <summary>Spends a refresh token for a new pair in the same family; null for anything not live.</summary>
    public async Task<AnchorTokenPair?> RefreshAsync(string refreshToken)
    {
        if (refreshToken.Length > WebTokenService.MaxTokenLength)
        {
            return null;
        }

        var now = clock.GetUtcNow();
        var rotated = await chains.RotateAsync(TokenFamilyKind.Anchor, refreshToken, now + options.AnchorRefreshTtl, async (user, nextRefresh) =>
        {
            RefreshTokenFormat.TryRead(nextRefresh, out var familyId, out _, out _);
            var (access, member) = await IssueAccessAsync(user.Id, familyId, now);
            var pair = new AnchorTokenPair(access, nextRefresh, (int)options.AnchorAccessTtl.TotalSeconds, user.Id);
            return new Successor([member], JsonSerializer.Serialize(pair));
        });
        // A replay is only ever one this kind wrote; a pair without both tokens is never answered as a success.
        if (rotated is { } step)
        {
            return JsonSerializer.Deserialize<AnchorTokenPair>(step.Replay) is { AccessToken: not null, RefreshToken: not null } pair ? pair : null;
        }

        // A refresh token stored before tokens carried their family: spent once more into a chain of its family.
        var grant = await grains.GetGrain<IAnchorTokenGrain>(TokenHash.Of(refreshToken)).Redeem();
        if (grant is null || await grains.GetGrain<IUserGrain>(grant.UserId).Get() is not { Disabled: false })
        {
            return null;
        }

        var legacyFamily = grant.FamilyId is { } known && RefreshTokenFormat.CanCarry(known, grant.UserId) ? known : Guid.NewGuid().ToString("N");
        return await StartChainAsync(grant.UserId, legacyFamily);
    }

    /// <summary>The live access token's user and family, or null (also when the account no longer accepts it).</summary>
    public async Task<AnchorAccess?> ValidateAccessAsync(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > WebTokenService.MaxTokenLength
            || await grains.GetGrain<IAnchorTokenGrain>(TokenHash.Of(token)).ValidateAccess() is not { } issue)
        {
            return null;
        }

        return await grains.GetGrain<IUserGrain>(issue.UserId).Get() is { } user && user.Accepts(issue.IssuedAt ?? DateTimeOffset.MaxValue)
            ? new AnchorAccess(issue.UserId, issue.FamilyId)
            : null;
    }

    /// <summary>Null when the family has been revoked meanwhile (the new pair is then revoked too).</summary>
    private async Task<AnchorTokenPair?> StartChainAsync(string userId, string familyId)
    {
        var now = clock.GetUtcNow();
        var (access, member) = await IssueAccessAsync(userId, familyId, now);
        var refresh = await chains.StartAsync(TokenFamilyKind.Anchor, userId, familyId, [member], now + options.AnchorRefreshTtl);
        return refresh is null ? null : new AnchorTokenPair(access, refresh, (int)options.AnchorAccessTtl.TotalSeconds, userId);
    }

    private async Task<(string Token, FamilyMember Member)> IssueAccessAsync(string userId, string familyId, DateTimeOffset now)
    {
        var access = TokenHash.NewToken(TokenBytes);
        var accessHash = TokenHash.Of(access);
        var expires = now + options.AnchorAccessTtl;
        await grains.GetGrain<IAnchorTokenGrain>(accessHash)
            .Issue(new AnchorTokenIssue(AnchorTokenKind.Access, userId, expires, PeerHash: null, familyId, now));
        return (access, new FamilyMember(FamilyMemberKind.AnchorToken, accessHash, expires));
    }
}
