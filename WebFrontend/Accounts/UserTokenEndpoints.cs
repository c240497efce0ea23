using OrbitGrains.WebFrontend.Hosting;
using OrbitGrains.WebFrontend.Hosting.Bodies;
using OrbitGrains.Accounts;

namespace OrbitGrains.WebFrontend.Accounts;

/// <summary>`/v1/user-token/*`: issue (control plane), rotate and revoke (the token's own bearer).</summary>
public static class UserTokenEndpoints
{
    public const string ControlPlaneHeader = "X-Control-Plane-Token";

    public static IEndpointRouteBuilder MapUserTokens(this IEndpointRouteBuilder app)
    {
        var tokens = app.MapGroup("/v1/user-token").WithTags("Accounts").AllowAnonymous().DisableAntiforgery();
        tokens.MapPost("/issue", IssueAsync)
            .WithSummary($"Issue a user's token (header {ControlPlaneHeader}; body {{}} or {{\"email\"}}, else the oldest user); replaces an active one")
            .Produces<UserTokenResponse>(StatusCodes.Status201Created);
        tokens.MapPost("/rotate", RotateAsync).WithSummary("Replace the calling user token with a new one").Produces<UserTokenResponse>();
        tokens.MapPost("/revoke", RevokeAsync).WithSummary("Revoke the calling user token").Produces(StatusCodes.Status204NoContent);
        return app;
    }

    private static async Task<IResult> IssueAsync(
        HttpContext context, Body<UserTokenIssueRequest> body, ControlPlaneToken controlPlane, AccountRegistry registry, UserTokenService userTokens, IGrainFactory grains)
    {
        if (!controlPlane.Matches(context.Request.Headers[ControlPlaneHeader].ToString()))
        {
            return DetailErrors.Error(StatusCodes.Status401Unauthorized, $"Invalid or missing {ControlPlaneHeader}.");
        }

        UserRecord? user;
        if (body.Value.Email.Trimmed() is { } email)
        {
            user = EmailAddresses.Normalise(email) is { } normalised ? await registry.FindAsync(normalised) : null;
        }
        else
        {
            user = await grains.GetGrain<ISystemUsersGrain>(ISystemUsersGrain.Key).FirstUser() is { } first
                ? await grains.GetGrain<IUserGrain>(first).Get()
                : null;
        }

        if (user is null)
        {
            return DetailErrors.Error(StatusCodes.Status404NotFound, "User not found.");
        }

        return Results.Json(Response(await userTokens.IssueAsync(user)), statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> RotateAsync(HttpContext context, UserTokenService userTokens)
    {
        var (user, _, problem) = await AuthenticateAsync(context, userTokens);
        return problem ?? Results.Json(Response(await userTokens.IssueAsync(user!)));
    }

    private static async Task<IResult> RevokeAsync(HttpContext context, UserTokenService userTokens)
    {
        var (user, token, problem) = await AuthenticateAsync(context, userTokens);
        if (problem is not null)
        {
            return problem;
        }

        await userTokens.RevokeAsync(user!, token!);
        return Results.NoContent();
    }

    /// <summary>The bearer user token of the request, with the contract's three 401 messages.</summary>
    public static async Task<(UserRecord? User, string? Token, IResult? Problem)> AuthenticateAsync(HttpContext context, UserTokenService userTokens)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            return (null, null, DetailErrors.Unauthorized(context, "Missing Authorization header."));
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header["Bearer ".Length..].Trim() is not { Length: > 0 } token)
        {
            return (null, null, DetailErrors.Unauthorized(context, "Authorization header must be Bearer <token>."));
        }

        return await userTokens.ValidateAsync(token) is { } user
            ? (user, token, null)
            : (null, null, DetailErrors.Unauthorized(context, "Invalid user token."));
    }

    public static UserTokenResponse Response(IssuedUserToken issued) =>
        new(issued.User.Id, EmailAddresses.Of(issued.User), issued.Token, issued.IssuedAt, issued.RotatedAt);
}

public sealed record UserTokenResponse(string UserId, string? Email, string UserToken, DateTimeOffset IssuedAt, DateTimeOffset? RotatedAt);
