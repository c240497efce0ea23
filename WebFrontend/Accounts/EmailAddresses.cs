using System.Net.Mail;

namespace OrbitGrains.WebFrontend.Accounts;

/// <summary>Email sign-ups share the user directory: an email account is a user whose name is the email.</summary>
public static class EmailAddresses
{
    public const int MaxLength = 254;

    /// <summary>The address in the form accounts are keyed by (lower-case), or null when it is not an address.</summary>
    public static string? Normalise(string? email) =>
        email is { Length: > 0 and <= MaxLength } && MailAddress.TryCreate(email, out var address) && address.Address == email
            && email.Contains('.', StringComparison.Ordinal) && !email.Any(char.IsWhiteSpace)
            ? email.ToLowerInvariant()
            : null;

    /// <summary>The email of an account, when its name is one.</summary>
    public static string? Of(OrbitGrains.Accounts.UserRecord user) => Normalise(user.Name);
}
