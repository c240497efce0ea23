using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace OrbitGrains.Accounts;

/// <summary>Opaque tokens are stored and looked up only by their SHA-256, so a copy of the store gives no token back.</summary>
public static class TokenHash
{
    public static string Of(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>A fresh random token, URL-safe base64 without padding.</summary>
    public static string NewToken(int bytes) => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(bytes));
}
