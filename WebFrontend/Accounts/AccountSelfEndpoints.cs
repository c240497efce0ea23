using OrbitGrains.Accounts;
using OrbitGrains.WebFrontend.Hosting.Access;

namespace OrbitGrains.WebFrontend.Accounts;

/// <summary>
/// What a signed-in person manages about their own account from the web client: their passkeys and their bearer
/// user token. Every route needs a live web access token (the <see cref="OrbitPolicies.WebSession"/> policy); errors
/// carry `error` as the rest of `/auth/*` does. Nobody reaches another user's things: the user is the token's.
/// </summary>
public static class AccountSelfEndpoints
{
    public static RouteGroupBuilder MapAccountSelf(this RouteGroupBuilder auth)
    {
        var self = auth.MapGroup("").RequireAuthorization(OrbitPolicies.WebSession);
        self.MapGet("/passkeys", PasskeysAsync)
            .WithSummary("My passkeys (web access token) -> {\"passkeys\": [{\"id\" (base64url credential id), \"name\", \"createdAt\", \"backedUp\"}]}")
            .Produces<MyPasskeys>();
        self.MapPost("/user-token", IssueAsync)
            .WithSummary("Issue my bearer user token (web access token); replaces my active one. The token is in this answer only.")
            .Produces<UserTokenResponse>(StatusCodes.Status201Created);
        self.MapDelete("/user-token", RevokeAsync)
            .WithSummary("Revoke my active bearer user token (web access token) -> 204, also when there was none")
            .Produces(StatusCodes.Status204NoContent);
        return auth;
    }

    private static async Task<IResult> PasskeysAsync(HttpContext context, IGrainFactory grains)
    {
        var passkeys = await grains.GetGrain<IUserGrain>(context.RequiredUser().Id!).Passkeys();
        return Results.Json(new MyPasskeys(passkeys
            .OrderBy(p => p.CreatedAt)
            .Select(p => new MyPasskey(System.Buffers.Text.Base64Url.EncodeToString(p.CredentialId), p.Name, p.CreatedAt, p.IsBackedUp))
            .ToArray()));
    }

    private static async Task<IResult> IssueAsync(HttpContext context, UserTokenService userTokens) =>
        Results.Json(UserTokenEndpoints.Response(await userTokens.IssueAsync(context.Account()!)), statusCode: StatusCodes.Status201Created);

    private static async Task<IResult> RevokeAsync(HttpContext context, UserTokenService userTokens)
    {
        await userTokens.RevokeActiveAsync(context.Account()!);
        return Results.NoContent();
    }
}

public sealed record MyPasskey(string Id, string? Name, DateTimeOffset CreatedAt, bool BackedUp);

public sealed record MyPasskeys(MyPasskey[] Passkeys);
