using System.Security.Cryptography;
using System.Text;

namespace OrbitGrains.WebFrontend.Rooms;

/// <summary>
/// AUTH_TOKENS (spec signaling.md), compared by hash in constant time. Their holders drove the original's robots, so
/// they are operators in rooms; the name is a hash prefix, so audit entries can tell tokens apart without ever
/// showing one.
/// </summary>
public sealed class StaticTokens(RoomsOptions options)
{
    private readonly byte[][] _hashes = options.StaticTokens.Select(Hash).ToArray();

    /// <summary>The audit name of a configured token, or null when the token is not one of them.</summary>
    public string? NameOf(string token)
    {
        if (_hashes.Length == 0)
        {
            return null;
        }

        var presented = Hash(token);
        var match = false;
        foreach (var hash in _hashes)
        {
            match |= CryptographicOperations.FixedTimeEquals(presented, hash);
        }

        return match ? $"token-{Convert.ToHexStringLower(presented)[..8]}" : null;
    }

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
