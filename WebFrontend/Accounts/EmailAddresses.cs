using System.Net.Mail;

namespace OrbitGrains.WebFrontend.Accounts;

/// <summary>Email sign-ups share the user directory: an email account is a user whose name is the email.</summary>
public static class EmailAddresses
{
    public const int MaxLength = 254;

    /// <summary>
    /// The address in the form accounts are keyed by, or null when it is not an address: normalised as every user name
    /// is (<see cref="UserNames.ForLookup"/>, so a full-width letter is the letter), then lower-case.
    /// </summary>
    public static string? Normalise(string? typed) =>
        typed is null ? null : Checked(UserNames.ForLookup(typed));

    /// <summary>
    /// What an email sign-up is called: the account name (<see cref="Normalise"/>) or the 400 message for control or
    /// invisible formatting characters (the rule of every user name, <see cref="UserNames.CharacterProblem"/>); both
    /// null when it is not an address.
    /// </summary>
    public static (string? Email, string? Problem) ForSignUp(string typed) =>
        UserNames.CharacterProblem(UserNames.ForLookup(typed), "Email") is { } problem ? (null, problem) : (Normalise(typed), null);

    private static string? Checked(string email) =>
        email is { Length: > 0 and <= MaxLength } && MailAddress.TryCreate(email, out var address) && address.Address == email
            && email.Contains('.', StringComparison.Ordinal) && !email.Any(char.IsWhiteSpace)
            ? email.ToLowerInvariant()
            : null;

    /// <summary>The email of an account, when its name is one.</summary>
    public static string? Of(OrbitGrains.Accounts.UserRecord user) => Normalise(user.Name);
}
