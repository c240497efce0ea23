using Microsoft.IdentityModel.JsonWebTokens;
using OrbitGrains.WebFrontend.Rooms;

namespace OrbitGrains.WebFrontend.Hosting.Access;

/// <summary>
/// Which handler <see cref="OrbitAuthSchemes.Default"/> forwards to: the one kind the request's credential can be, told
/// from its shape with in-memory checks only, so the single expensive validation (a signature, a grain lookup) runs
/// once and for the right kind. An Anchor token is never chosen here: only the routes that name its scheme accept it.
/// </summary>
public sealed class CredentialSelector(OrbitSecrets secrets, StaticTokens staticTokens)
{
    public string SchemeFor(HttpContext context) => SchemeFor(RequestCredential.Token(context.Request));

    /// <summary>The scheme for a presented token; the admin cookie when there is no token (it may carry a browser session).</summary>
    public string SchemeFor(string? token)
    {
        if (token is null)
        {
            return OrbitAuthSchemes.AdminCookie;
        }

        if (token.Length > RequestCredential.MaxLength)
        {
            // Refused unread by any handler; the user-token one answers without a lookup.
            return OrbitAuthSchemes.UserToken;
        }

        if (secrets.IsAdminToken(token))
        {
            return OrbitAuthSchemes.AdminToken;
        }

        if (token.Count(c => c == '.') == 2)
        {
            return AudienceOf(token) == RoomTokens.Audience ? OrbitAuthSchemes.RoomToken : OrbitAuthSchemes.WebSession;
        }

        return staticTokens.NameOf(token) is not null ? OrbitAuthSchemes.StaticToken : OrbitAuthSchemes.UserToken;
    }

    /// <summary>The unverified audience: only to pick the handler, which then verifies everything.</summary>
    private static string? AudienceOf(string token)
    {
        try
        {
            return new JsonWebToken(token).Audiences.FirstOrDefault();
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
