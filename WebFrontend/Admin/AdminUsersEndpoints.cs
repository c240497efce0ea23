using Microsoft.AspNetCore.Http.HttpResults;
using OrbitGrains.Accounts;
using OrbitGrains.WebFrontend.Accounts;
using OrbitGrains.WebFrontend.Hosting.Access;
using OrbitGrains.WebFrontend.Hosting.Bodies;

namespace OrbitGrains.WebFrontend.Admin;

/// <summary>
/// `/api/admin/users`: list and search accounts, create one, grant and revoke roles, disable and enable. Admin only
/// (the admin token, or a person with the admin role). Granting the first admin with the admin token is the bootstrap:
/// signing up never makes anyone an admin.
/// </summary>
public static class AdminUsersEndpoints
{
    /// <summary>Directory entries one listing request reads at most while searching; the rest is the next page's.</summary>
    private const int MaxScanned = 5000;

    public static RouteGroupBuilder MapAdminUsers(this RouteGroupBuilder admin)
    {
        var users = admin.MapGroup("/users").WithTags("Accounts admin");
        users.MapGet("", ListAsync)
            .WithSummary("Accounts, oldest first: ?search=<part of a name, or an id>&after=<nextAfter>&limit=1..200 (50)");
        users.MapGet("/{id}", GetAsync).WithSummary("One account");
        users.MapPost("", CreateAsync).DisableAntiforgery()
            .WithSummary("Create an account whatever REGISTRATION says ({name, displayName?, password?, roles?}); 409 when the name is taken");
        users.MapPut("/{id}/roles", SetRolesAsync).DisableAntiforgery()
            .WithSummary("Replace the granted roles ({roles: [\"operator\"|\"admin\"]}); takes effect at once on requests and open sockets");
        users.MapPost("/{id}/disable", (string id, IGrainFactory grains) => SetDisabledAsync(id, grains, disabled: true))
            .DisableAntiforgery()
            .WithSummary("Disable the account: every session, refresh, anchor and user token of it ends at once and its sockets close");
        users.MapPost("/{id}/enable", (string id, IGrainFactory grains) => SetDisabledAsync(id, grains, disabled: false))
            .DisableAntiforgery()
            .WithSummary("Enable a disabled account again (its old sign-ins stay ended)");
        return admin;
    }

    private static async Task<Results<Ok<AdminUserPage>, ProblemHttpResult>> ListAsync(HttpContext context, IGrainFactory grains)
    {
        var query = context.Request.Query;
        var search = query["search"].ToString().Trim();
        if (search.Length > UserNames.MaxLength * 4
            || !TryRead(query["after"], 0, long.MaxValue, 0, out var after) || !TryRead(query["limit"], 1, 200, 50, out var limit))
        {
            return Problem(StatusCodes.Status400BadRequest, "search is at most 256 characters; after a whole number from 0; limit from 1 to 200.");
        }

        var directory = grains.GetGrain<ISystemUsersGrain>(ISystemUsersGrain.Key);
        var found = new List<DirectoryEntry>();
        long? next = after;
        long total = 0;
        var scanned = 0;
        while (next is { } cursor && found.Count < limit && scanned < MaxScanned)
        {
            var page = await directory.List(cursor, 500);
            total = page.Total;
            foreach (var entry in page.Entries)
            {
                scanned++;
                next = entry.Sequence;
                if (Matches(entry, search) && found.Count < limit)
                {
                    found.Add(entry);
                }

                if (found.Count == limit)
                {
                    break;
                }
            }

            if (found.Count < limit && page.NextAfter is null)
            {
                next = null;
            }
        }

        if (next is { } last && last >= total)
        {
            next = null;
        }

        var records = await Task.WhenAll(found.Select(e => grains.GetGrain<IUserGrain>(e.UserId).Get()));
        return TypedResults.Ok(new AdminUserPage(records.OfType<UserRecord>().Select(View).ToArray(), next, total));
    }

    private static async Task<Results<Ok<AdminUserView>, ProblemHttpResult>> GetAsync(string id, IGrainFactory grains) =>
        await FindAsync(id, grains) is { } user ? TypedResults.Ok(View(user)) : UnknownUser();

    private static async Task<Results<Created<AdminUserView>, ProblemHttpResult>> CreateAsync(
        Body<AdminCreateUserRequest> body, AccountRegistry registry, PasswordHashing passwords)
    {
        var request = body.Value;
        var (name, nameProblem) = UserNames.Normalise(request.Name.Trimmed() ?? "");
        if (nameProblem is not null)
        {
            return Problem(StatusCodes.Status400BadRequest, nameProblem);
        }

        var displayName = request.DisplayName.Trimmed() ?? name!;
        var password = request.Password.Trimmed();
        var roles = request.Roles is { } asked ? AccountRoles.Normalise(asked) : [];
        if (UserNames.DisplayNameProblem(displayName, BasicAuthEndpoints.MaxDisplayNameLength) is { } displayProblem)
        {
            return Problem(StatusCodes.Status400BadRequest, displayProblem);
        }

        if (password is { Length: < PasswordHashing.MinLength or > PasswordHashing.MaxLength })
        {
            return Problem(StatusCodes.Status400BadRequest, $"Password must be {PasswordHashing.MinLength} to {PasswordHashing.MaxLength} characters.");
        }

        if (roles is null)
        {
            return Problem(StatusCodes.Status400BadRequest, RolesMessage);
        }

        var user = await registry.CreateAsync(AccountRegistry.NewUserId(), name!, displayName, password is null ? null : passwords.Hash(password), roles);
        return user is null
            ? Problem(StatusCodes.Status409Conflict, "User already exists.")
            : TypedResults.Created($"/api/admin/users/{user.Id}", View(user));
    }

    private static async Task<Results<Ok<AdminUserView>, ProblemHttpResult>> SetRolesAsync(string id, Body<AdminRolesRequest> body, IGrainFactory grains)
    {
        if (body.Value.Roles is not { } asked || AccountRoles.Normalise(asked) is not { } roles)
        {
            return Problem(StatusCodes.Status400BadRequest, RolesMessage);
        }

        return await FindAsync(id, grains) is not null && await grains.GetGrain<IUserGrain>(id).SetRoles(roles) is { } updated
            ? TypedResults.Ok(View(updated))
            : UnknownUser();
    }

    private static async Task<Results<Ok<AdminUserView>, ProblemHttpResult>> SetDisabledAsync(string id, IGrainFactory grains, bool disabled) =>
        await FindAsync(id, grains) is not null && await grains.GetGrain<IUserGrain>(id).SetDisabled(disabled) is { } updated
            ? TypedResults.Ok(View(updated))
            : UnknownUser();

    private const string RolesMessage = "roles must be an array of role names: \"operator\", \"admin\" (every account is a \"member\").";

    /// <summary>Only ids of the form the product issues are looked up, so probing never activates arbitrary grains.</summary>
    private static async Task<UserRecord?> FindAsync(string id, IGrainFactory grains) =>
        Guid.TryParseExact(id, "N", out _) ? await grains.GetGrain<IUserGrain>(id).Get() : null;

    private static bool Matches(DirectoryEntry entry, string search) =>
        search.Length == 0 || entry.UserId == search || entry.Name.Contains(search, StringComparison.OrdinalIgnoreCase);

    private static AdminUserView View(UserRecord user) => new(
        user.Id, user.Name, user.DisplayName, [AccountRoles.Member, .. user.Roles], user.Disabled, user.CreatedAt, user.HasPasskey,
        user.PasswordHash is not null);

    private static ProblemHttpResult UnknownUser() => Problem(StatusCodes.Status404NotFound, "User not found.");

    private static ProblemHttpResult Problem(int status, string detail) => TypedResults.Problem(statusCode: status, detail: detail);

    internal static bool TryRead(string? text, long min, long max, long fallback, out long value)
    {
        if (string.IsNullOrEmpty(text))
        {
            value = fallback;
            return true;
        }

        return long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value)
            && value >= min && value <= max;
    }
}
