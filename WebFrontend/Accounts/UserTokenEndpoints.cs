using OrbitGrains.WebFrontend.Hosting;
using OrbitGrains.WebFrontend.Hosting.Access;
using OrbitGrains.WebFrontend.Hosting.Bodies;
using OrbitGrains.Accounts;

namespace OrbitGrains.WebFrontend.Accounts;

/// <summary>`/v1/user-token/*` (spec jarvis.md): issue (control plane), rotate and revoke (the token's own bearer).</summary>
public static class UserTokenEndpoints
{
    public static IEndpointRouteBuilder MapUserTokens(this IEndpointRouteBuilder app)
    {
        var tokens = app.MapGroup("/v1/user-token").WithTags("Accounts").DisableAntiforgery();
        tokens.MapPost("/issue", IssueAsync)
            .RequireAuthorization(OrbitPolicies.ControlPlane).WithRefusals(RefusalStyle.ControlPlane)
            .WithSummary($"Issue a user's token (header {ControlPlaneAuthenticationHandler.Header}; body {{}} or {{\"email\"}}; no body or no email: the oldest user; any other body 400/422); replaces an active one")
            .Produces<UserTokenResponse>(StatusCodes.Status201Created);
        tokens.MapPost("/rotate", RotateAsync)
            .RequireAuthorization(OrbitPolicies.UserToken).WithRefusals(RefusalStyle.UserToken)
            .WithSummary("Replace the calling user token with a new one").Produces<UserTokenResponse>();
        tokens.MapPost("/revoke", RevokeAsync)
            .RequireAuthorization(OrbitPolicies.UserToken).WithRefusals(RefusalStyle.UserToken)
            .WithSummary("Revoke the calling user token").Produces(StatusCodes.Status204NoContent);
        return app;
    }

    private static async Task<IResult> IssueAsync(HttpContext context, Body<UserTokenIssueRequest> body, AccountRegistry registry, UserTokenService userTokens, IGrainFactory grains)
    {
        UserRecord? user;
        if (body.Value.Email is { } typed)
        {
            // Naming nobody is not naming no one: only an absent email stands for the first user.
            if (typed.Trimmed() is not { } email)
            {
                return DetailErrors.Error(StatusCodes.Status422UnprocessableEntity, "email must be an email address, or absent for the first user.");
            }

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

    private static async Task<IResult> RotateAsync(HttpContext context, UserTokenService userTokens) =>
        Results.Json(Response(await userTokens.IssueAsync(context.Account()!)));

    private static async Task<IResult> RevokeAsync(HttpContext context, UserTokenService userTokens)
    {
        var caller = context.RequiredUser();
        var tokenHash = context.User.FindFirst(OrbitClaims.TokenHash)?.Value ?? throw new InvalidOperationException("A user-token principal names its token.");
        await userTokens.RevokeAsync(caller.Id!, tokenHash);
        return Results.NoContent();
    }

    public static UserTokenResponse Response(IssuedUserToken issued) =>
        new(issued.User.Id, EmailAddresses.Of(issued.User), issued.Token, issued.IssuedAt, issued.RotatedAt);
}

public sealed record UserTokenResponse(string UserId, string? Email, string UserToken, DateTimeOffset IssuedAt, DateTimeOffset? RotatedAt);
