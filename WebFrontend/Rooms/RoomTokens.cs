using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OrbitGrains.Rooms;
using OrbitGrains.WebFrontend.Hosting;

namespace OrbitGrains.WebFrontend.Rooms;

/// <summary>What a room token grants: a name, a room role and, when it is scoped, the one room it is for.</summary>
public sealed record RoomGrant(string Name, RoomRole Role, string? Room);

/// <summary>
/// Short-lived room tokens: HS256 JWTs with their own audience, a role claim and optionally a room claim. The key is
/// derived from the product's JWT signing key for this one purpose, so a room token can never pass as another
/// family's token even where that family forgets to check the audience.
/// </summary>
public sealed class RoomTokens(OrbitSecrets secrets, RoomsOptions options, TimeProvider clock)
{
    public const string Issuer = "orbitgrains";
    public const string Audience = "orbitgrains-rooms";
    public const string RoleClaim = "role";
    public const string RoomClaim = "room";

    private readonly SymmetricSecurityKey _key = new(DeriveKey(secrets.JwtSigningKey));
    private readonly JsonWebTokenHandler _handler = new();

    public static byte[] DeriveKey(byte[] jwtSigningKey) => HMACSHA256.HashData(jwtSigningKey, Encoding.UTF8.GetBytes("orbitgrains-rooms/v1"));

    /// <param name="room">The one room the token may join; null for any room.</param>
    public (string Token, int ExpiresIn) Issue(string subject, RoomRole role, string? room)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + options.RoomTokenTtl,
            Claims = room is null
                ? new Dictionary<string, object> { ["sub"] = subject, [RoleClaim] = RoomRoles.Name(role), ["jti"] = Guid.NewGuid().ToString("N") }
                : new Dictionary<string, object> { ["sub"] = subject, [RoleClaim] = RoomRoles.Name(role), ["jti"] = Guid.NewGuid().ToString("N"), [RoomClaim] = room },
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.HmacSha256),
        });
        return (token, (int)options.RoomTokenTtl.TotalSeconds);
    }

    public async Task<RoomGrant?> ValidateAsync(string token)
    {
        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidAudience = Audience,
            IssuerSigningKey = _key,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            RequireExpirationTime = true,
            ClockSkew = TimeSpan.FromSeconds(5),
            // The clock comes from DI so expiry follows the same time as issuing.
            LifetimeValidator = (notBefore, expires, _, _) =>
                expires is { } end && clock.GetUtcNow().UtcDateTime < end.AddSeconds(5)
                && (notBefore is not { } start || clock.GetUtcNow().UtcDateTime >= start.AddSeconds(-5)),
        });
        if (!result.IsValid
            || result.ClaimsIdentity.FindFirst("sub")?.Value is not { Length: > 0 } subject
            || !RoomRoles.TryParse(result.ClaimsIdentity.FindFirst(RoleClaim)?.Value, out var role))
        {
            return null;
        }

        return new RoomGrant(subject, role, result.ClaimsIdentity.FindFirst(RoomClaim)?.Value);
    }
}
