using System.Security.Cryptography;

namespace OrbitGrains.WebFrontend.Accounts;

/// <summary>Codes a person reads off a terminal and types: no 0/O, 1/I to confuse, shown as XXXX-XXXX.</summary>
public static class UserCodes
{
    public const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    public const int MaxLength = 32;

    public static string New()
    {
        var chars = RandomNumberGenerator.GetItems<char>(Alphabet, 8);
        return $"{new string(chars, 0, 4)}-{new string(chars, 4, 4)}";
    }

    /// <summary>What a person typed, as the code is keyed: trimmed and upper case (the dash is part of the code).</summary>
    public static string Normalise(string typed) => typed.Trim().ToUpperInvariant();
}
