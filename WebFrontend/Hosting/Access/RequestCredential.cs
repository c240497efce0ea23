namespace OrbitGrains.WebFrontend.Hosting.Access;

/// <summary>
/// Where a request carries its credential, read in one place for every family: `Authorization: Bearer` first, else
/// the `token` query value (Orbit spec: "a token is read from Authorization: Bearer first, else from ?token="), both
/// trimmed. Only the authentication handlers and the refusal writer look at these; endpoints read HttpContext.User.
/// </summary>
public static class RequestCredential
{
    /// <summary>Longer than any credential the product issues; such a value is refused unread.</summary>
    public const int MaxLength = 8192;

    /// <summary>The `Authorization: Bearer` value, or null when the header is absent, of another scheme, or empty.</summary>
    public static string? Bearer(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = header["Bearer ".Length..].Trim();
        return token.Length == 0 ? null : token;
    }

    /// <summary>The bearer token, else the `?token=` value; null when neither has one.</summary>
    public static string? Token(HttpRequest request)
    {
        if (Bearer(request) is { } bearer)
        {
            return bearer;
        }

        var query = request.Query["token"].ToString().Trim();
        return query.Length == 0 ? null : query;
    }
}
