using System.Security.Cryptography;
using System.Text;

namespace OrbitGrains.Hosting;

/// <summary>
/// How a grain's identity is spelled for the Orleans ADO.NET grain storage, so that every grain has a row of its own
/// on SQLite and PostgreSQL alike.
/// </summary>
/// <remarks>
/// Left alone, the provider reads a string key that parses as a hexadecimal number or as a GUID as that number
/// (dotnet/orleans issue 9706: <c>cafe</c>, <c>0cafe</c> and <c>CAFE</c> share a row, as do upper- and lower-case
/// spellings of a GUID), leaves the grain type out of the row's identity (issue 9737: only the state name is kept),
/// and passes the key through <c>string.Format</c>, where <c>{</c> or <c>}</c> fail every write. Here the key becomes
/// <c>k:</c> followed by the percent-encoded UTF-8 bytes of the key (only <c>A-Z a-z 0-9 - . _</c> stay as they are):
/// never a number, never a GUID, no braces, and one spelling for each key. The grain type joins the state name in the
/// provider's type column as <c>state:type</c>, both encoded the same way. A key or type too long for its column
/// (1,024 and 512 characters in deploy/sql/postgresql) is replaced by <c>h:</c> and the SHA-256 of its bytes.
/// </remarks>
public static class StorageKeys
{
    /// <summary>Longest encoded key kept readable; the PostgreSQL column holds 1,024 characters.</summary>
    public const int MaxKeyChars = 1000;

    /// <summary>Longest encoded state and type kept readable; the PostgreSQL column holds 512 characters.</summary>
    public const int MaxTypeChars = 500;

    /// <summary>The identity the provider stores the grain's state under: the grain's type with the encoded key.</summary>
    public static GrainId Key(GrainId grainId) => GrainId.Create(grainId.Type, Encode("k:", grainId.Key.AsSpan(), MaxKeyChars));

    /// <summary>What the provider keeps in its type column: the state name and the grain type, both encoded.</summary>
    public static string StateName(string stateName, GrainType grainType)
    {
        var state = Encode("", Encoding.UTF8.GetBytes(stateName), int.MaxValue);
        return state + ":" + Encode("", grainType.AsSpan(), MaxTypeChars - state.Length - 1);
    }

    /// <summary>
    /// True when the storage layout of earlier versions kept this key in a row of its own, so a row found there under
    /// it is this grain's and may be carried over: keys that Orleans did not read as a number, lower-case GUIDs (the
    /// only spelling the product issues) and keys without braces.
    /// </summary>
    public static bool HadOwnLegacyRow(GrainId grainId)
    {
        if (grainId.TryGetIntegerKey(out _, out _))
        {
            return false;
        }

        if (grainId.TryGetGuidKey(out var guid, out var extension))
        {
            return extension is null && grainId.Key.ToString() == guid.ToString("N");
        }

        var key = grainId.Key.AsSpan();
        return !key.Contains((byte)'{') && !key.Contains((byte)'}');
    }

    private static string Encode(string prefix, ReadOnlySpan<byte> bytes, int maxChars)
    {
        var text = new StringBuilder(prefix, prefix.Length + bytes.Length);
        foreach (var b in bytes)
        {
            if (b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9') or (byte)'-' or (byte)'.' or (byte)'_')
            {
                text.Append((char)b);
            }
            else
            {
                text.Append('%').Append(HexDigits[b >> 4]).Append(HexDigits[b & 0xF]);
            }
        }

        // Distinct keys stay distinct: a hash spelling starts with "h:", which no percent-encoded text contains.
        return text.Length <= maxChars ? text.ToString() : "h:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    private const string HexDigits = "0123456789ABCDEF";
}
