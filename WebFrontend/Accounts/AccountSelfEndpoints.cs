using OrbitGrains.Accounts;

namespace OrbitGrains.WebFrontend.Accounts;

/// <summary>
/// What a signed-in person manages about their own account from the web client: their passkeys and their bearer
/// user token. Every route needs a live web access token (`Authorization: Bearer`); errors carry `error` as the
/// rest of `/auth/*` does. Nobody reaches another user's things: the user is the token's.
/// </summary>
public static class AccountSelfEndpoints
{
    public static RouteGroupBuilder MapAccountSelf(this RouteGroupBuilder auth)
    {
        auth.MapGet("/passkeys", PasskeysAsync)
            .WithSummary("My passkeys (web access token) -> {\"passkeys\": [{\"id\" (base64url credential id), \"name\", \"createdAt\", \"backedUp\"}]}")
            .Produces<MyPasskeys>();
        auth.MapPost("/user-token", IssueAsync)
            .WithSummary("Issue my bearer user token (web access token); replaces my active one. The token is in this answer only.")
            .Produces<UserTokenResponse>(StatusCodes.Status201Created);
        auth.MapDelete("/user-token", RevokeAsync)
            .WithSummary("Revoke my active bearer user token (web access token) -> 204, also when there was none")
            .Produces(StatusCodes.Status204NoContent);
        return auth;
    }

    private static async Task<IResult> PasskeysAsync(HttpRequest request, WebTokenService tokens, IGrainFactory grains)
    {
        if (await tokens.ValidateRequestAsync(request) is not { } identity)
        {
            return AccountErrors.Unauthorised();
        }

        var passkeys = await grains.GetGrain<IUserGrain>(identity.User.Id).Passkeys();
        return Results.Json(new MyPasskeys(passkeys
            .OrderBy(p => p.CreatedAt)
            .Select(p => new MyPasskey(System.Buffers.Text.Base64Url.EncodeToString(p.CredentialId), p.Name, p.CreatedAt, p.IsBackedUp))
            .ToArray()));
    }

    private static async Task<IResult> IssueAsync(HttpRequest request, WebTokenService tokens, UserTokenService userTokens)
    {
        if (await tokens.ValidateRequestAsync(request) is not { } identity)
        {
            return AccountErrors.Unauthorised();
        }

        return Results.Json(UserTokenEndpoints.Response(await userTokens.IssueAsync(identity.User)), statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> RevokeAsync(HttpRequest request, WebTokenService tokens, UserTokenService userTokens)
    {
        if (await tokens.ValidateRequestAsync(request) is not { } identity)
        {
            return AccountErrors.Unauthorised();
        }

        await userTokens.RevokeActiveAsync(identity.User);
        return Results.NoContent();
    }
}

public sealed record MyPasskey(string Id, string? Name, DateTimeOffset CreatedAt, bool BackedUp);

public sealed record MyPasskeys(MyPasskey[] Passkeys);
