using OrbitGrains.WebFrontend.Hosting.Access;
using OrbitGrains.WebFrontend.Hosting.Bodies;

namespace OrbitGrains.WebFrontend.Accounts;

/// <summary>The state of a web sign-in, ending or renewing it, and what a sign-in page needs to know.</summary>
public static class SessionEndpoints
{
    public static RouteGroupBuilder MapSessions(this RouteGroupBuilder auth)
    {
        auth.MapGet("/session", GetAsync).AllowAnonymous()
            .WithSummary("Who the presented token belongs to (always 200; anonymous without a live token)")
            .Produces<SessionStatus>();
        auth.MapGet("/config", (AccountsOptions options) => TypedResults.Json(new AuthConfigResponse(
                options.Mode == AuthMode.Passkey ? "passkey" : "basic", options.Registration.ToString().ToLowerInvariant())))
            .AllowAnonymous()
            .WithSummary("Public sign-in settings: auth mode and sign-up policy (REGISTRATION)");
        auth.MapPost("/refresh", RefreshAsync).AllowAnonymous()
            .WithSummary("Spend a refresh token for a new access token and refresh token (the same pair again within 30 s)")
            .Produces<RefreshResponse>();
        auth.MapPost("/logout", LogoutAsync).AllowAnonymous()
            .WithSummary("End the session of the presented token and every session refreshed from it (always 204)")
            .Produces(StatusCodes.Status204NoContent);
        return auth;
    }

    private static async Task<IResult> GetAsync(HttpContext context, AccountRegistry accounts)
    {
        // The account as the credential's validation read it: no second lookup.
        var user = context.Account();
        return Results.Json(new SessionStatus(
            Authenticated: user is not null,
            User: user is null ? null : new UserSummary(user.Id, user.Name),
            HasPasskey: user?.HasPasskey ?? false,
            SystemHasUsers: await accounts.SystemHasUsersAsync()));
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

    private static async Task<IResult> LogoutAsync(HttpContext context, WebTokenService tokens)
    {
        if (context.CurrentUser() is { Kind: OrbitAuthSchemes.WebSession, FamilyId: { } familyId })
        {
            await tokens.RevokeAsync(familyId);
        }

        return Results.NoContent();
    }
}
