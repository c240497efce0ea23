using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OrbitGrains.Accounts;
using OrbitGrains.WebFrontend.Hosting;

namespace OrbitGrains.WebFrontend.Accounts;

/// <summary>A web sign-in that passed every check: the user and the session its JWT names.</summary>
public sealed record WebIdentity(UserRecord User, string SessionId, string FamilyId);

/// <summary>What a sign-in or refresh hands to the web client.</summary>
public sealed record IssuedSession(string Token, string RefreshToken, UserRecord User);

/// <summary>
/// Web access tokens (HS256 JWTs with the claims the web client reads; spec orbit.md) and their sessions. A JWT on its
/// own proves nothing here: it is accepted only while the session its `jti` names is live in the cluster, its `nbf`
/// and `exp` hold, and its account is enabled and did not revoke credentials after its `iat`.
/// </summary>
public sealed class WebTokenService
{
    public const string Issuer = "codex-remote-auth";
    public const string Audience = "codex-remote-web";
    public const int MaxTokenLength = 4096;

    /// <summary>Characters of a sign-in's `User-Agent` kept for "my sessions".</summary>
    private const int MaxUserAgentLength = 256;

    /// <summary>How far ahead of this node's clock another node's `nbf` may be (front ends' clocks differ a little).</summary>
    private const long NotBeforeSkewSeconds = 5;

    private readonly IGrainFactory _grains;
    private readonly AccountsOptions _options;
    private readonly TimeProvider _clock;
    private readonly RefreshChains _chains;
    private readonly SigningCredentials _signing;
    private readonly TokenValidationParameters _validation;
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly IHttpContextAccessor _requests;
    private readonly WebSessionCache _sessions;
    private readonly ConcurrentDictionary<string, TokenClaims> _checked = new(StringComparer.Ordinal);

    /// <summary>Signed tokens whose claims are remembered (about 1 KiB each).</summary>
    private const int MaxRememberedTokens = 20_000;

    /// <summary>What a web access token says, once its signature was checked (times in Unix seconds).</summary>
    private sealed record TokenClaims(string UserId, string SessionId, long Exp, long? Nbf, long Iat);

    public WebTokenService(
        IGrainFactory grains, OrbitSecrets secrets, AccountsOptions options, TimeProvider clock, RefreshChains chains, IHttpContextAccessor requests,
        WebSessionCache sessions)
    {
        _grains = grains;
        _sessions = sessions;
        _requests = requests;
        _options = options;
        _clock = clock;
        _chains = chains;
        var key = new SymmetricSecurityKey(SigningKeyBytes(secrets.JwtSigningKey));
        _signing = new SigningCredentials(key, SecurityAlgorithms.HmacSha256);
        _validation = new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidAudience = Audience,
            IssuerSigningKey = key,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            // Lifetime (exp and nbf) is checked against the injected clock below, not the library's wall clock.
            ValidateLifetime = false,
            RequireExpirationTime = false,
        };
    }

    /// <summary>Signs a user in: a new session in a new token family.</summary>
    public async Task<IssuedSession> StartSessionAsync(UserRecord user) =>
        await StartChainAsync(user, Guid.NewGuid().ToString("N"))
        ?? throw new InvalidOperationException("A family made a moment ago cannot have been revoked.");

    /// <summary>
    /// Spends a refresh token for a new session in the same family; null for anything not live. The same token again
    /// within the grace window (a second tab) gets the same new pair.
    /// </summary>
    public async Task<IssuedSession?> RefreshAsync(string refreshToken)
    {
        if (refreshToken.Length > MaxTokenLength)
        {
            return null;
        }

        var now = _clock.GetUtcNow();
        var rotated = await _chains.RotateAsync(TokenFamilyKind.Web, refreshToken, now + _options.RefreshTtl, async (user, nextRefresh) =>
        {
            var (sessionId, accessExpires) = await StartSessionGrainAsync(user, FamilyOf(nextRefresh), now);
            var pair = new ReplayPair(CreateJwt(user, sessionId, now, accessExpires), nextRefresh);
            return new Successor([new FamilyMember(FamilyMemberKind.Session, sessionId, accessExpires)], JsonSerializer.Serialize(pair));
        });
        // A replay is only ever one this kind wrote; a pair without both tokens is never answered as a success.
        if (rotated is { } step && JsonSerializer.Deserialize<ReplayPair>(step.Replay) is { Token: not null, RefreshToken: not null } pair)
        {
            await _grains.GetGrain<IUserSessionsGrain>(step.User.Id).Touch(FamilyOf(pair.RefreshToken), now, now + _options.RefreshTtl);
            return new IssuedSession(pair.Token, pair.RefreshToken, step.User);
        }

        return await RefreshLegacyAsync(refreshToken);
    }

    public async Task<WebIdentity?> ValidateAsync(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength)
        {
            return null;
        }

        if (await ClaimsOfAsync(token) is not { } claims)
        {
            return null;
        }

        var now = _clock.GetUtcNow().ToUnixTimeSeconds();
        var (userId, sessionId, exp, nbf, iat) = claims;
        if (now >= exp || (nbf is { } notBefore && now + NotBeforeSkewSeconds < notBefore))
        {
            return null;
        }

        var (session, user) = await _sessions.LookupAsync(sessionId, userId);
        if (session is null || session.UserId != userId || user is null || !user.Accepts(DateTimeOffset.FromUnixTimeSeconds(iat)))
        {
            return null;
        }

        return new WebIdentity(user, sessionId, session.FamilyId);
    }

    /// <summary>
    /// The claims of a token whose signature, issuer, audience and algorithm were checked, remembered per token (at
    /// most <see cref="MaxRememberedTokens"/>): the signing key does not change while the process runs, so a token
    /// checked once stays well-formed and signed, and the library's parsing and HMAC are paid once per token rather
    /// than once per request. Lifetime and the session are checked on every request.
    /// </summary>
    private async Task<TokenClaims?> ClaimsOfAsync(string token)
    {
        if (_checked.TryGetValue(token, out var remembered))
        {
            return remembered;
        }

        var result = await _handler.ValidateTokenAsync(token, _validation);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt
            || !jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Exp, out var exp)
            || !jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Iat, out var iat)
            || !jwt.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Sub, out var userId)
            || !jwt.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Jti, out var sessionId)
            || string.IsNullOrEmpty(userId) || string.IsNullOrEmpty(sessionId))
        {
            return null;
        }

        long? nbf = jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Nbf, out var notBefore) ? notBefore : null;
        var claims = new TokenClaims(userId, sessionId, exp, nbf, iat);
        if (_checked.Count >= MaxRememberedTokens)
        {
            // Expired ones first; a flood of distinct valid tokens only empties the memory, it never grows it.
            var now = _clock.GetUtcNow().ToUnixTimeSeconds();
            foreach (var (key, value) in _checked)
            {
                if (value.Exp <= now)
                {
                    _checked.TryRemove(key, out _);
                }
            }

            if (_checked.Count >= MaxRememberedTokens)
            {
                _checked.Clear();
            }
        }

        _checked[token] = claims;
        return claims;
    }

    /// <summary>Ends a sign-in: every session and refresh token grown from it.</summary>
    public Task RevokeAsync(string familyId) => _grains.GetGrain<ITokenFamilyGrain>(familyId).RevokeAll();

    /// <summary>A session and the first refresh token of a chain in <paramref name="familyId"/>; null when the family was revoked.</summary>
    private async Task<IssuedSession?> StartChainAsync(UserRecord user, string familyId)
    {
        var now = _clock.GetUtcNow();
        var (sessionId, accessExpires) = await StartSessionGrainAsync(user, familyId, now);
        var refreshToken = await _chains.StartAsync(
            TokenFamilyKind.Web, user.Id, familyId, [new FamilyMember(FamilyMemberKind.Session, sessionId, accessExpires)], now + _options.RefreshTtl);
        if (refreshToken is null)
        {
            return null;
        }

        await RecordSignInAsync(user.Id, familyId, now);
        return new IssuedSession(CreateJwt(user, sessionId, now, accessExpires), refreshToken, user);
    }

    /// <summary>Lists the sign-in among the account's web sessions ("my sessions"); ends any it pushes out past the cap.</summary>
    private async Task RecordSignInAsync(string userId, string familyId, DateTimeOffset now)
    {
        var userAgent = _requests.HttpContext?.Request.Headers.UserAgent.ToString() is { Length: > 0 } agent
            ? new string(agent.Take(MaxUserAgentLength).Where(c => !char.IsControl(c)).ToArray())
            : null;
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var evicted = await _grains.GetGrain<IUserSessionsGrain>(userId).Add(new WebSignIn(id, familyId, now, now, userAgent, now + _options.RefreshTtl));
        await Task.WhenAll(evicted.Select(RevokeAsync));
    }

    private async Task<(string SessionId, DateTimeOffset AccessExpires)> StartSessionGrainAsync(UserRecord user, string familyId, DateTimeOffset now)
    {
        var sessionId = Guid.NewGuid().ToString("N");
        var accessExpires = now + _options.AccessTtl;
        await _grains.GetGrain<ISessionGrain>(sessionId).Start(new SessionStart(user.Id, familyId, accessExpires));
        return (sessionId, accessExpires);
    }

    /// <summary>A refresh token stored before tokens carried their family: spent once more into a chain of its family.</summary>
    private async Task<IssuedSession?> RefreshLegacyAsync(string refreshToken)
    {
        var grant = await _grains.GetGrain<IRefreshTokenGrain>(TokenHash.Of(refreshToken)).Redeem();
        if (grant is null || await _grains.GetGrain<IUserGrain>(grant.UserId).Get() is not { Disabled: false } user
            || !RefreshTokenFormat.CanCarry(grant.FamilyId, user.Id))
        {
            return null;
        }

        return await StartChainAsync(user, grant.FamilyId);
    }

    private static string FamilyOf(string refreshToken) =>
        RefreshTokenFormat.TryRead(refreshToken, out var familyId, out _, out _) ? familyId : throw new InvalidOperationException("Not a refresh token.");

    private string CreateJwt(UserRecord user, string sessionId, DateTimeOffset issuedAt, DateTimeOffset expires) =>
        _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = user.Id,
                ["name"] = user.Name,
                [JwtRegisteredClaimNames.Jti] = sessionId,
                [JwtRegisteredClaimNames.Iat] = issuedAt.ToUnixTimeSeconds(),
                [JwtRegisteredClaimNames.Nbf] = issuedAt.ToUnixTimeSeconds(),
                [JwtRegisteredClaimNames.Exp] = expires.ToUnixTimeSeconds(),
            },
            SigningCredentials = _signing,
        });

    // HS256 keys must be at least 256 bits; a shorter secret (only accepted in Development) is stretched by hashing.
    private static byte[] SigningKeyBytes(byte[] secret) => secret.Length >= 32 ? secret : SHA256.HashData(secret);

    /// <summary>The pair a refresh answered with, handed to a duplicate of that refresh (in memory only).</summary>
    private sealed record ReplayPair(string Token, string RefreshToken);
}
