using OrbitGrains.Accounts;

namespace OrbitGrains.WebFrontend.Accounts;

/// <summary>What a refresh prepared for its successor: the members it created and the text it will answer with.</summary>
public sealed record Successor(FamilyMember[] Members, string Replay);

/// <summary>
/// The refresh-token chains of web sessions and Anchor tokens alike: starting one at a sign-in, and spending a refresh
/// token at its <see cref="ITokenFamilyGrain"/>, which hands a duplicate within the grace window the same successor and
/// revokes the family when a spent token comes back later.
/// </summary>
public sealed class RefreshChains(IGrainFactory grains)
{
    /// <summary>
    /// The generation-1 refresh token of a new chain of <paramref name="kind"/> in <paramref name="familyId"/>; null when
    /// the family was revoked or is a live family of the other kind.
    /// </summary>
    public async Task<string?> StartAsync(
        TokenFamilyKind kind, string userId, string familyId, FamilyMember[] members, DateTimeOffset refreshExpires)
    {
        var token = RefreshTokenFormat.Create(familyId, userId, 1);
        return await grains.GetGrain<ITokenFamilyGrain>(familyId).Start(new FamilyStart(userId, TokenHash.Of(token), members, refreshExpires, kind))
            ? token
            : null;
    }

    /// <summary>
    /// Spends a refresh token of the current format for the successor <paramref name="prepare"/> makes (given the account
    /// and the successor's refresh token); the replay text to answer with, or null when the token is not live or its
    /// family is not of <paramref name="kind"/> (the route's kind; the token is then left as it was).
    /// </summary>
    public async Task<(UserRecord User, string Replay)?> RotateAsync(
        TokenFamilyKind kind, string refreshToken, DateTimeOffset refreshExpires, Func<UserRecord, string, Task<Successor>> prepare)
    {
        if (!RefreshTokenFormat.TryRead(refreshToken, out var familyId, out var userId, out var generation))
        {
            return null;
        }

        var family = grains.GetGrain<ITokenFamilyGrain>(familyId);
        if (await grains.GetGrain<IUserGrain>(userId).Get() is not { Disabled: false } user)
        {
            return null;
        }

        var next = RefreshTokenFormat.Create(familyId, userId, generation + 1);
        var successor = await prepare(user, next);
        var outcome = await family.Rotate(new FamilyRotation(
            generation, TokenHash.Of(refreshToken), TokenHash.Of(next), successor.Members, refreshExpires, successor.Replay, user.CredentialsNotBefore, kind));
        return outcome.Status switch
        {
            RotateStatus.Rotated => (user, successor.Replay),
            RotateStatus.Replayed when outcome.Replay is { } replay => (user, replay),
            _ => null,
        };
    }
}
