using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using OrbitGrains.WebFrontend.Hosting.Bodies;

namespace OrbitGrains.WebFrontend.Admin;

// Shapes of the admin API (`/api/admin/users`, `/api/admin/invites`); member names are the contract (camelCase on the wire).

/// <summary>An account as admins see it.</summary>
/// <param name="Roles">Every role the account has: `member`, plus `operator` and/or `admin` when granted.</param>
/// <param name="HasPassword">Whether the account signs in with a password (never the password or its hash).</param>
public sealed record AdminUserView(
    string Id, string Name, string DisplayName, string[] Roles, bool Disabled, DateTimeOffset CreatedAt, bool HasPasskey, bool HasPassword);

/// <param name="NextAfter">Pass as `after` for the next page; null at the end of the directory.</param>
/// <param name="Total">Accounts in the directory (all of them, not only those matching the search).</param>
public sealed record AdminUserPage(AdminUserView[] Users, long? NextAfter, long Total);

/// <summary>`POST /api/admin/users` body; `name` is required (400 without it), `roles` as in <see cref="AdminRolesRequest"/>.</summary>
public sealed record AdminCreateUserRequest(string? Name = null, string? DisplayName = null, string? Password = null, string[]? Roles = null)
    : IRequestBody<AdminCreateUserRequest>
{
    public static JsonTypeInfo<AdminCreateUserRequest> JsonTypeInfo => AdminRequestJson.Default.AdminCreateUserRequest;
}

/// <summary>`PUT /api/admin/users/{id}/roles` body: the granted roles, `operator` and/or `admin` (`member` is implied).</summary>
public sealed record AdminRolesRequest(string[]? Roles = null) : IRequestBody<AdminRolesRequest>
{
    public static JsonTypeInfo<AdminRolesRequest> JsonTypeInfo => AdminRequestJson.Default.AdminRolesRequest;

    /// <summary>The roles are the whole body: an empty body is refused rather than read as "no roles".</summary>
    public static string? EmptyBody => "roles must be an array of role names.";
}

/// <summary>`POST /api/admin/invites` body.</summary>
/// <param name="ExpiresInSec">Lifetime in seconds: 60 to 7776000 (90 days); default 604800 (7 days).</param>
/// <param name="Note">Up to 200 printable characters, for the admins' own record.</param>
public sealed record AdminCreateInviteRequest(long? ExpiresInSec = null, string? Note = null) : IRequestBody<AdminCreateInviteRequest>
{
    public static JsonTypeInfo<AdminCreateInviteRequest> JsonTypeInfo => AdminRequestJson.Default.AdminCreateInviteRequest;
}

/// <summary>A new invite. <paramref name="Code"/> is shown only in this answer; it is stored as a hash.</summary>
public sealed record AdminInviteCreated(string Id, string Code, DateTimeOffset ExpiresAt);

/// <param name="Status">`unused`, `used` or `expired`.</param>
public sealed record AdminInviteView(
    string Id, string Status, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, string CreatedBy, string? Note, string? UsedBy, DateTimeOffset? UsedAt);

public sealed record AdminInviteList(AdminInviteView[] Invites);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, AllowDuplicateProperties = false)]
[JsonSerializable(typeof(AdminCreateUserRequest))]
[JsonSerializable(typeof(AdminRolesRequest))]
[JsonSerializable(typeof(AdminCreateInviteRequest))]
internal sealed partial class AdminRequestJson : JsonSerializerContext;
