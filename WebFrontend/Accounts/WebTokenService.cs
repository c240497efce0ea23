using System.Security.Cryptography;
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
/// Web access tokens (HS256 JWTs with the claims the web client reads) and their sessions. A JWT on its own proves
/// nothing here: it is accepted only while the session its `jti` names is live in the cluster.
/// </summary>
public sealed class WebTokenService
{
    public const string Issuer = "codex-remote-auth";
    public const string Audience = "codex-remote-web";
    public const int MaxTokenLength = 4096;
    private const int RefreshTokenBytes = 48;

    private readonly IGrainFactory _grains;
    private readonly AccountsOptions _options;
    private readonly TimeProvider _clock;
    private readonly SigningCredentials _signing;
    private readonly TokenValidationParameters _validation;
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    public WebTokenService(IGrainFactory grains, OrbitSecrets secrets, AccountsOptions options, TimeProvider clock)
    {
        _grains = grains;
        _options = options;
        _clock = clock;
        var key = new SymmetricSecurityKey(SigningKeyBytes(secrets.JwtSigningKey));
        _signing = new SigningCredentials(key, SecurityAlgorithms.HmacSha256);
        _validation = new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidAudience = Audience,
            IssuerSigningKey = key,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            // Lifetime is checked against the injected clock below, not the library's wall clock.
            ValidateLifetime = false,
            RequireExpirationTime = false,
        };
    }

    /// <summary>Starts a session (a new family when none is given): null when that family has been revoked meanwhile.</summary>
    public async Task<IssuedSession?> StartSessionAsync(UserRecord user, string? familyId = null)
    {
        var now = _clock.GetUtcNow();
        var sessionId = Guid.NewGuid().ToString("N");
        familyId ??= Guid.NewGuid().ToString("N");
        var accessExpires = now + _options.AccessTtl;
        var refreshExpires = now + _options.RefreshTtl;
        var refreshToken = TokenHash.NewToken(RefreshTokenBytes);

        await _grains.GetGrain<ISessionGrain>(sessionId).Start(new SessionStart(user.Id, familyId, accessExpires));
        await _grains.GetGrain<IRefreshTokenGrain>(TokenHash.Of(refreshToken))
            .Issue(new RefreshTokenIssue(user.Id, sessionId, familyId, refreshExpires));
        if (!await _grains.GetGrain<ITokenFamilyGrain>(familyId).Add([new FamilyMember(FamilyMemberKind.Session, sessionId, accessExpires)], refreshExpires))
        {
            return null;
        }

        return new IssuedSession(CreateJwt(user, sessionId, now, accessExpires), refreshToken, user);
    }

    /// <summary>Spends a refresh token for a new session in the same family; null for anything not live.</summary>
    public async Task<IssuedSession?> RefreshAsync(string refreshToken)
    {
        if (refreshToken.Length > MaxTokenLength)
        {
            return null;
        }

        var grant = await _grains.GetGrain<IRefreshTokenGrain>(TokenHash.Of(refreshToken)).Redeem();
        if (grant is null || await _grains.GetGrain<IUserGrain>(grant.UserId).Get() is not { } user)
        {
            return null;
        }

        return await StartSessionAsync(user, grant.FamilyId);
    }

    /// <summary>The identity behind the request's token (Bearer first, else `?token=`), or null.</summary>
    public Task<WebIdentity?> ValidateRequestAsync(HttpRequest request) =>
        // The bearer scheme already validated a header token on this request (it comes first here too): reuse its answer.
        request.HttpContext.Items.TryGetValue(typeof(WebIdentity), out var known) && known is WebIdentity identity
            ? Task.FromResult<WebIdentity?>(identity)
            : ValidateAsync(RequestToken.Read(request));

    public async Task<WebIdentity?> ValidateAsync(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength)
        {
            return null;
        }

        var result = await _handler.ValidateTokenAsync(token, _validation);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt
            || !jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Exp, out var exp)
            || _clock.GetUtcNow().ToUnixTimeSeconds() >= exp
            || !jwt.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Sub, out var userId)
            || !jwt.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Jti, out var sessionId)
            || string.IsNullOrEmpty(userId) || string.IsNullOrEmpty(sessionId))
        {
            return null;
        }

        // The signature already vouches for the subject, so the user is fetched alongside the session check.
        var sessionTask = _grains.GetGrain<ISessionGrain>(sessionId).GetLive();
        var userTask = _grains.GetGrain<IUserGrain>(userId).Get();
        var session = await sessionTask;
        var user = await userTask;
        if (session is null || session.UserId != userId || user is null)
        {
            return null;
        }

        return new WebIdentity(user, sessionId, session.FamilyId);
    }

    /// <summary>Ends the sign-in behind a session: every session and refresh token grown from it.</summary>
    public Task RevokeAsync(WebIdentity identity) => _grains.GetGrain<ITokenFamilyGrain>(identity.FamilyId).RevokeAll();

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
                [JwtRegisteredClaimNames.Exp] = expires.ToUnixTimeSeconds(),
            },
            SigningCredentials = _signing,
        });

    // HS256 keys must be at least 256 bits; a shorter secret (only accepted in Development) is stretched by hashing.
    private static byte[] SigningKeyBytes(byte[] secret) => secret.Length >= 32 ? secret : SHA256.HashData(secret);
}
