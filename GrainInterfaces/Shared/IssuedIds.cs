namespace OrbitGrains.Shared;

/// <summary>
/// The one spelling of an id the product hands out (room session ids, job ids, recording ids, user ids): 32 lower-case
/// hexadecimal digits of a random GUID, after a fixed prefix where the kind has one. Ids that come back from clients
/// are checked against it before they name a grain, so another spelling of a live id (upper case, braces, dashes) is
/// an unknown id, never a second grain over the same data.
/// </summary>
public static class IssuedIds
{
    private const int Digits = 32;

    /// <summary>A new id: <paramref name="prefix"/> and 32 lower-case hexadecimal digits.</summary>
    public static string New(string prefix = "") => prefix + Guid.NewGuid().ToString("N");

    /// <summary>True when <paramref name="id"/> is exactly <paramref name="prefix"/> and 32 lower-case hexadecimal digits.</summary>
    public static bool IsCanonical(string? id, string prefix = "")
    {
        if (id is null || id.Length != prefix.Length + Digits || !id.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in id.AsSpan(prefix.Length))
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }

        return true;
    }
}
