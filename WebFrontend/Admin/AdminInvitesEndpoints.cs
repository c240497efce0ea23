using Microsoft.AspNetCore.Http.HttpResults;
using OrbitGrains.Accounts;
using OrbitGrains.WebFrontend.Accounts;
using OrbitGrains.WebFrontend.Hosting.Access;
using OrbitGrains.WebFrontend.Hosting.Bodies;

namespace OrbitGrains.WebFrontend.Admin;

/// <summary>
/// `/api/admin/invites` (REGISTRATION=invite): single-use sign-up codes. The code is shown once, in the answer that
/// creates it, and stored only as its SHA-256; admins list and delete invites by id.
/// </summary>
public static class AdminInvitesEndpoints
{
    private const int CodeBytes = 24;
    private const long DefaultLifetimeSeconds = 7 * 86400;
    private const long MaxLifetimeSeconds = 90 * 86400;
    private const int MaxNoteLength = 200;

    public static RouteGroupBuilder MapAdminInvites(this RouteGroupBuilder admin)
    {
        var invites = admin.MapGroup("/invites").WithTags("Accounts admin");
        invites.MapPost("", CreateAsync).DisableAntiforgery()
            .WithSummary("Create a single-use invite ({expiresInSec?: 60..7776000, note?}); the code is in this answer only");
        invites.MapGet("", ListAsync).WithSummary("Invites, newest first, with their status (unused, used, expired)");
        invites.MapDelete("/{id}", DeleteAsync).WithSummary("Delete an invite; its code no longer signs anyone up");
        return admin;
    }

    private static async Task<Results<Created<AdminInviteCreated>, ProblemHttpResult>> CreateAsync(
        HttpContext context, Body<AdminCreateInviteRequest> body, IGrainFactory grains, TimeProvider clock)
    {
        var lifetime = body.Value.ExpiresInSec ?? DefaultLifetimeSeconds;
        var note = body.Value.Note.Trimmed();
        if (lifetime is < 60 or > MaxLifetimeSeconds
            || note is { Length: > MaxNoteLength } || (note?.Any(char.IsControl) ?? false))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest,
                detail: $"expiresInSec must be 60 to {MaxLifetimeSeconds}; note at most {MaxNoteLength} printable characters.");
        }

        var code = TokenHash.NewToken(CodeBytes);
        var hash = TokenHash.Of(code);
        var id = hash[..16];
        var now = clock.GetUtcNow();
        var expiresAt = now + TimeSpan.FromSeconds(lifetime);
        if (!await grains.GetGrain<IInviteIndexGrain>(IInviteIndexGrain.Key).Add(id, hash, expiresAt))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
                detail: $"There are {IInviteIndexGrain.MaxInvites} live invites already; delete some first.");
        }

        await grains.GetGrain<IInviteGrain>(hash).Create(new InviteRecord(id, now, expiresAt, context.RequiredUser().Name, note));
        return TypedResults.Created($"/api/admin/invites/{id}", new AdminInviteCreated(id, code, expiresAt));
    }

    private static async Task<Ok<AdminInviteList>> ListAsync(IGrainFactory grains, TimeProvider clock)
    {
        var hashes = await grains.GetGrain<IInviteIndexGrain>(IInviteIndexGrain.Key).All();
        var invites = await Task.WhenAll(hashes.Select(h => grains.GetGrain<IInviteGrain>(h).Get()));
        var now = clock.GetUtcNow();
        return TypedResults.Ok(new AdminInviteList(invites.OfType<InviteRecord>().Select(i => new AdminInviteView(
            i.Id, i.UsedBy is not null ? "used" : i.ExpiresAt <= now ? "expired" : "unused",
            i.CreatedAt, i.ExpiresAt, i.CreatedBy, i.Note, i.UsedBy, i.UsedAt)).ToArray()));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string id, IGrainFactory grains)
    {
        var index = grains.GetGrain<IInviteIndexGrain>(IInviteIndexGrain.Key);
        if (id.Length != 16 || await index.Find(id) is not { } hash)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: "Invite not found.");
        }

        await grains.GetGrain<IInviteGrain>(hash).Revoke();
        await index.Remove(id);
        return TypedResults.NoContent();
    }
}
