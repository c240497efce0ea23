using System.Security.Cryptography;
using System.Text;

namespace OrbitGrains.WebFrontend.Hosting;

/// <summary>
/// The front end's secrets, resolved at start-up. The admin token is held only as a SHA-256 hash:
/// nothing in memory or on disk can give it back.
/// </summary>
public sealed class OrbitSecrets
{
    public OrbitSecrets(byte[] jwtSigningKey, byte[] adminTokenHash)
    {
        JwtSigningKey = jwtSigningKey;
        AdminTokenHash = adminTokenHash;
    }

    public byte[] JwtSigningKey { get; }

    public byte[] AdminTokenHash { get; }

    public bool IsAdminToken(string? presented)
    {
        if (string.IsNullOrEmpty(presented) || presented.Length > 1024)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Hash(presented), AdminTokenHash);
    }

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
