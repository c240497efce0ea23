using System.Security.Claims;
using OrbitGrains.Accounts;

namespace OrbitGrains.WebFrontend.Hosting.Access;

/// <summary>
/// The caller of a request, read from HttpContext.User as the authentication layer left it: who (user id and name,
/// null id for credentials that name no person), which roles, and which credential kind proved it.
/// </summary>
/// <param name="Id">The user id; null for the admin token, the admin cookie, static tokens and room tokens.</param>
/// <param name="Roles">Product roles (<see cref="AccountRoles"/>): `member` for every person, plus those granted.</param>
/// <param name="Kind">The credential kind, one of <see cref="OrbitAuthSchemes"/>.</param>
/// <param name="SessionId">The web session (JWT jti) for web session tokens.</param>
/// <param name="FamilyId">The sign-in (token family) for web session and anchor tokens.</param>
/// <param name="TokenHash">
/// The user token (SHA-256 hex) a person presented, or a stream ticket asked for with, when there was no sign-in: what
/// must stay live for the request to go on speaking for the person.
/// </param>
public sealed record CurrentUser(string? Id, string Name, IReadOnlyList<string> Roles, string Kind, string? SessionId, string? FamilyId, string? TokenHash = null)
{
    public bool IsPerson => Id is not null;

    public bool IsAdmin => Roles.Contains(AccountRoles.Admin);

    /// <summary>Operator or admin: may drive pipeline jobs and rooms.</summary>
    public bool IsOperator => IsAdmin || Roles.Contains(AccountRoles.Operator);

    /// <summary>The caller of an authenticated principal; null for an anonymous one.</summary>
    public static CurrentUser? From(ClaimsPrincipal principal)
    {
        if (principal.Identity is not { IsAuthenticated: true })
        {
            return null;
        }

        return new CurrentUser(
            principal.FindFirst(OrbitClaims.Subject)?.Value,
            principal.FindFirst(OrbitClaims.Name)?.Value ?? "",
            principal.FindAll(OrbitClaims.Role).Select(c => c.Value).ToArray(),
            principal.FindFirst(OrbitClaims.Credential)?.Value ?? "",
            principal.FindFirst(OrbitClaims.Session)?.Value,
            principal.FindFirst(OrbitClaims.Family)?.Value,
            principal.FindFirst(OrbitClaims.TokenHash)?.Value);
    }
}

public static class CurrentUserExtensions
{
    /// <summary>The authenticated caller of the request, or null (anonymous, or a credential that did not authenticate).</summary>
    public static CurrentUser? CurrentUser(this HttpContext context) => Access.CurrentUser.From(context.User);

    /// <summary>
    /// The account record the request's credential was validated against (for a person's credential), so an endpoint
    /// that shows the account needs no second lookup; null otherwise.
    /// </summary>
    public static UserRecord? Account(this HttpContext context) =>
        context.Items.TryGetValue(typeof(UserRecord), out var account) && context.CurrentUser()?.Id is { } id && account is UserRecord user && user.Id == id
            ? user
            : null;

    internal static void SetAccount(this HttpContext context, UserRecord user) => context.Items[typeof(UserRecord)] = user;

    /// <summary>The caller of an endpoint whose policy requires an authenticated user.</summary>
    public static CurrentUser RequiredUser(this HttpContext context) =>
        context.CurrentUser() ?? throw new InvalidOperationException("The endpoint's policy should have required an authenticated caller.");
}
