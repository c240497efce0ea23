namespace OrbitGrains.Accounts;

/// <summary>
/// The roles of the product. Every account is a <see cref="Member"/> (it reaches its own things and joins rooms as a
/// viewer); <see cref="Operator"/> (drives pipeline jobs and rooms) and <see cref="Admin"/> (everything, and grants
/// roles) are granted by an admin and never by signing up.
/// </summary>
public static class AccountRoles
{
    public const string Member = "member";
    public const string Operator = "operator";
    public const string Admin = "admin";

    /// <summary>The roles an admin may grant; <see cref="Member"/> is implied by having an account.</summary>
    public static readonly IReadOnlyList<string> Grantable = [Operator, Admin];

    /// <summary>
    /// The granted roles in a fixed order, or null when one of them is not a grantable role. A JSON list may hold
    /// <c>null</c> whatever its declared element type, so a null element is such a role too (the caller's 400).
    /// </summary>
    public static string[]? Normalise(IEnumerable<string?> roles)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var role in roles)
        {
            if (role is null)
            {
                return null;
            }

            var name = role.Trim().ToLowerInvariant();
            if (name == Member)
            {
                continue;
            }

            if (!Grantable.Contains(name))
            {
                return null;
            }

            set.Add(name);
        }

        return Grantable.Where(set.Contains).ToArray();
    }
}
