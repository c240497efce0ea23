using OrbitGrains.Accounts;
using OrbitGrains.WebFrontend.Hosting.Access;

namespace OrbitGrains.WebFrontend.Accounts;

/// <summary>
/// "My sessions": a person's live web sign-ins (token families), and ending one or all but the current one. Every
/// route needs a live web access token (<see cref="OrbitPolicies.WebSession"/>); a person sees and ends only their
/// own sign-ins, so another account's sign-in id is unknown (404). Errors carry `error`, as the rest of `/auth/*`.
/// </summary>
public static class MySessionsEndpoints
{
    public static RouteGroupBuilder MapMySessions(this RouteGroupBuilder auth)
    {
        var sessions = auth.MapGroup("").RequireAuthorization(OrbitPolicies.WebSession);
        sessions.MapGet("/sessions", ListAsync)
            .WithSummary("My live web sign-ins, most recently used first -> {\"sessions\": [{\"id\", \"createdAt\", \"lastUsedAt\", \"userAgent\", \"current\"}]}")
            .Produces<MySessions>();
        sessions.MapDelete("/sessions/{id}", EndAsync)
            .WithSummary("End one of my sign-ins and every session refreshed from it -> 204; 404 for an id that is not one of mine")
            .Produces(StatusCodes.Status204NoContent);
        sessions.MapPost("/sessions/revoke-others", EndOthersAsync)
            .WithSummary("End every sign-in of mine except the one this token belongs to -> {\"ended\": count}")
            .Produces<EndedSessions>();
        return auth;
    }

    private static async Task<IResult> ListAsync(HttpContext context, IGrainFactory grains)
    {
        var (current, live) = await LiveAsync(context, grains);
        return Results.Json(new MySessions(live
            .Select(s => new MySession(s.Id, s.CreatedAt, s.LastUsedAt, s.UserAgent, s.FamilyId == current))
            .ToArray()));
    }

    private static async Task<IResult> EndAsync(string id, HttpContext context, IGrainFactory grains, WebTokenService tokens)
    {
        var (_, live) = await LiveAsync(context, grains);
        if (live.FirstOrDefault(s => s.Id == id) is not { } signIn)
        {
            return AccountErrors.Error(StatusCodes.Status404NotFound, "No such session.");
        }

        await EndAllAsync(context, grains, tokens, [signIn]);
        return Results.NoContent();
    }

    private static async Task<IResult> EndOthersAsync(HttpContext context, IGrainFactory grains, WebTokenService tokens)
    {
        var (current, live) = await LiveAsync(context, grains);
        var others = live.Where(s => s.FamilyId != current).ToArray();
        await EndAllAsync(context, grains, tokens, others);
        return Results.Json(new EndedSessions(others.Length));
    }

    /// <summary>The caller's family and their listed sign-ins that are still live; dead ones are dropped from the list.</summary>
    private static async Task<(string Current, WebSignIn[] Live)> LiveAsync(HttpContext context, IGrainFactory grains)
    {
        var caller = context.RequiredUser();
        var account = context.Account()!;
        var index = grains.GetGrain<IUserSessionsGrain>(account.Id);
        var listed = await index.List();
        var alive = await Task.WhenAll(listed.Select(s => grains.GetGrain<ITokenFamilyGrain>(s.FamilyId).IsLive(account.CredentialsNotBefore)));
        var dead = listed.Where((_, i) => !alive[i]).Select(s => s.FamilyId).ToArray();
        if (dead.Length > 0)
        {
            await index.Remove(dead);
        }

        return (caller.FamilyId!, listed.Where((_, i) => alive[i]).ToArray());
    }

    private static async Task EndAllAsync(HttpContext context, IGrainFactory grains, WebTokenService tokens, WebSignIn[] signIns)
    {
        await Task.WhenAll(signIns.Select(s => tokens.RevokeAsync(s.FamilyId)));
        await grains.GetGrain<IUserSessionsGrain>(context.Account()!.Id).Remove(signIns.Select(s => s.FamilyId).ToArray());
    }
}

/// <summary>One web sign-in of mine.</summary>
/// <param name="Id">16 hex characters; pass to `DELETE /auth/sessions/{id}`.</param>
/// <param name="LastUsedAt">The sign-in, or its latest refresh.</param>
/// <param name="UserAgent">The browser's `User-Agent` at sign-in (up to 256 characters), or null.</param>
/// <param name="Current">True for the sign-in the presented access token belongs to.</param>
public sealed record MySession(string Id, DateTimeOffset CreatedAt, DateTimeOffset LastUsedAt, string? UserAgent, bool Current);

public sealed record MySessions(MySession[] Sessions);

public sealed record EndedSessions(int Ended);
