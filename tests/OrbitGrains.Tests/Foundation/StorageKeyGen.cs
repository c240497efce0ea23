using CsCheck;

namespace OrbitGrains.Tests.Foundation;

/// <summary>
/// Grain keys that the Orleans ADO.NET stores have been seen to confuse (dotnet/orleans issues 9706 and 9737): digits
/// with leading zeros, hexadecimal in both cases, GUID spellings, braces and separators, and non-ASCII text. Each
/// sample is a family of spellings of one key, so that near misses meet in the same store.
/// </summary>
public static class StorageKeyGen
{
    private static readonly Gen<string> Base = Gen.Frequency(
        (3, Gen.String[Gen.Char["0123456789"], 1, 8]),
        (3, Gen.String[Gen.Char["0123456789abcdefABCDEF"], 1, 17]),
        (2, Gen.Guid.Select(g => g.ToString("N"))),
        (2, Gen.String[Gen.Char["{}0aA+/%:#~ {0}"], 1, 10]),
        (2, Gen.OneOf("é", "É", "ß", "ẞ", "ı", "İ", "日", "本", "🙂", "0", "a").Array[1, 6].Select(parts => string.Concat(parts))),
        (1, Gen.String[Gen.Char['!', '~'], 1, 40]));

    /// <summary>A key and its near misses: other cases, leading zeros, a key extension, braces, a long tail.</summary>
    public static readonly Gen<string[]> Family = Base.Select(key => new[]
    {
        key,
        key.ToUpperInvariant(),
        key.ToLowerInvariant(),
        "0" + key,
        "00" + key,
        key + "+x",
        "{" + key + "}",
        key + new string('9', 1100),
    }.Where(IsWellFormed).Distinct(StringComparer.Ordinal).ToArray());

    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    /// <summary>What Orleans takes as a grain key at all: not blank, and valid UTF-16 (a lone surrogate has no UTF-8 spelling).</summary>
    private static bool IsWellFormed(string key)
    {
        if (string.IsNullOrWhiteSpace(key))
        {
            return false;
        }

        try
        {
            StrictUtf8.GetByteCount(key);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
