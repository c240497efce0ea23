using Microsoft.AspNetCore.Identity;

namespace OrbitGrains.WebFrontend.Accounts;

/// <summary>
/// Optional passwords of basic accounts, hashed with ASP.NET Core Identity's PBKDF2 format. Runs in the front end,
/// on the request's thread, so the deliberately slow hash never holds a grain's turn.
/// </summary>
public sealed class PasswordHashing
{
    public const int MinLength = 8;
    public const int MaxLength = 1024;

    private static readonly Account Nobody = new();
    private readonly PasswordHasher<Account> _hasher = new();

    public string Hash(string password) => _hasher.HashPassword(Nobody, password);

    public bool Verify(string hash, string? password) =>
        password is { Length: > 0 and <= MaxLength }
        && _hasher.VerifyHashedPassword(Nobody, hash, password) != PasswordVerificationResult.Failed;

    /// <summary>The hasher's user type; the default hasher never looks at it.</summary>
    public sealed class Account;
}
