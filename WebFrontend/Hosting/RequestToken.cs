using OrbitGrains.WebFrontend.Admin;

namespace OrbitGrains.WebFrontend.Hosting;

public static class RequestToken
{
    /// <summary>`Authorization: Bearer` first, else the `token` query value, trimmed; null when neither has one.</summary>
    public static string? Read(HttpRequest request)
    {
        if (BearerAuthenticationHandler.ReadBearer(request) is { } bearer)
        {
            return bearer;
        }

        var query = request.Query["token"].ToString().Trim();
        return query.Length == 0 ? null : query;
    }
}
