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

    /// <summary>
    /// What a person typed, as the code is keyed (XXXX-XXXX, the dash is part of it): upper case without white space,
    /// and 8 characters typed without the dash get it back where it is shown. The web client's /device page
    /// normalises the same way; an Anchor's user may type the code anywhere else.
    /// </summary>
    public static string Normalise(string typed)
    {
        var compact = string.Concat(typed.Where(c => !char.IsWhiteSpace(c))).ToUpperInvariant();
        return compact.Length == 8 && !compact.Contains('-') ? $"{compact[..4]}-{compact[4..]}" : compact;
    }
}
