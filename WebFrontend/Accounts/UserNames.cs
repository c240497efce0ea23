using System.Globalization;
using System.Text;
using ICU4N;
using ICU4N.Globalization;
using ICU4N.Text;

namespace OrbitGrains.WebFrontend.Accounts;

/// <summary>
/// User names as they are stored and compared: NFKC-normalised (Unicode UAX #15), so look-alike spellings such as
/// full-width letters or ligatures become one name; characters that print as nothing (format characters, category Cf:
/// zero-width joiners, direction marks; and the rest of Unicode's default-ignorable code points: Hangul fillers,
/// variation selectors, tags) and control characters are refused, since they make two names that print the same.
/// Uniqueness ignores case (<see cref="Key"/>), as the Orbit original does.
/// </summary>
public static class UserNames
{
    public const int MaxLength = 64;

    private static readonly Normalizer2 Nfkc = Normalizer2.NFKCInstance;

    /// <summary>The stored form of a typed name, or the 400 message saying what is wrong with it.</summary>
    public static (string? Name, string? Problem) Normalise(string typed)
    {
        var name = ForLookup(typed);
        if (name.Length == 0)
        {
            return (null, "Name is required.");
        }

        if (name.Length > MaxLength)
        {
            return (null, $"Name must be at most {MaxLength} characters.");
        }

        return CharacterProblem(name, "Name") is { } problem ? (null, problem) : (name, null);
    }

    /// <summary>
    /// The 400 message for a normalised name with control or format characters, worded for <paramref name="subject"/>
    /// ("Name", or "Email" where an email address is the name); null when it has none. Every sign-up route checks this.
    /// </summary>
    public static string? CharacterProblem(string name, string subject) =>
        name.Any(char.IsControl) ? $"{subject} must not contain control characters."
        : name.EnumerateRunes().Any(Invisible) ? $"{subject} must not contain invisible formatting characters."
        : null;

    /// <summary>
    /// Whether a code point prints as nothing: format characters (category Cf, supplementary ones included) and every
    /// Default_Ignorable_Code_Point of Unicode (UAX #44; the Hangul fillers, variation selectors, the combining grapheme
    /// joiner, tags), which renderers skip, so a name holding one prints as the name without it.
    /// </summary>
    private static bool Invisible(Rune rune) =>
        Rune.GetUnicodeCategory(rune) == UnicodeCategory.Format || UChar.HasBinaryProperty(rune.Value, UProperty.Default_Ignorable_Code_Point);

    /// <summary>The normalised form of a name typed at sign-in (no checks: an unusable name just matches nobody).</summary>
    public static string ForLookup(string typed) => Nfkc.Normalize(typed.Trim());

    /// <summary>The key of the name grain: one for every spelling that differs only in case.</summary>
    public static string Key(string name) => name.ToLowerInvariant();

    /// <summary>A display name: the same rules, with its own length.</summary>
    public static string? DisplayNameProblem(string displayName, int maxLength) =>
        displayName.Length > maxLength || displayName.Any(char.IsControl) || displayName.EnumerateRunes().Any(Invisible)
            ? $"Display name must be at most {maxLength} printable characters."
            : null;
}
