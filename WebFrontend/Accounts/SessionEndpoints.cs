using OrbitGrains.WebFrontend.Hosting.Bodies;

namespace OrbitGrains.WebFrontend.Accounts;

/// <summary>The state of a web sign-in, and ending or renewing it.</summary>
public static class SessionEndpoints
{
    public static RouteGroupBuilder MapSessions(this RouteGroupBuilder auth)
    {
        auth.MapGet("/session", GetAsync)
            .WithSummary("Who the presented token belongs to (always 200; anonymous without a live token)")
            .Produces<SessionStatus>();
        auth.MapPost("/refresh", RefreshAsync)
            .WithSummary("Spend a refresh token for a new access token and refresh token")
            .Produces<RefreshResponse>();
        auth.MapPost("/logout", LogoutAsync)
            .WithSummary("End the session of the presented token and every session refreshed from it (always 204)")
            .Produces(StatusCodes.Status204NoContent);
        return auth;
    }

    private static async Task<IResult> GetAsync(HttpRequest request, WebTokenService tokens, AccountRegistry accounts)
    {
        var identityTask = tokens.ValidateRequestAsync(request);
        var hasUsersTask = accounts.SystemHasUsersAsync();
        var identity = await identityTask;
        var user = identity?.User;
        return Results.Json(new SessionStatus(
            Authenticated: user is not null,
            User: user is null ? null : new UserSummary(user.Id, user.Name),
            HasPasskey: user?.HasPasskey ?? false,
            SystemHasUsers: await hasUsersTask));
    }

    private static async Task<IResult> RefreshAsync(Body<RefreshTokenRequest> body, WebTokenService tokens)
    {
        if (body.Value.RefreshToken.Trimmed() is not { } refreshToken)
        {
            return AccountErrors.BadRequest("refreshToken is required.");
        }

        // The web client signs out only on a 401, so every refusal of a token is exactly that.
        var session = await tokens.RefreshAsync(refreshToken);
        return session is null
            ? AccountErrors.Unauthorised("Invalid or expired refresh token.")
            : Results.Json(new RefreshResponse(session.Token, session.RefreshToken, new UserSummary(session.User.Id, session.User.Name)));
    }

    private static async Task<IResult> LogoutAsync(HttpRequest request, WebTokenService tokens)
    {
        if (await tokens.ValidateRequestAsync(request) is { } identity)
        {
            await tokens.RevokeAsync(identity);
        }

        return Results.NoContent();
    }
}
