using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;

namespace OrbitGrains.WebFrontend.Accounts;

/// <summary>
/// Refresh tokens (web and Anchor): opaque to clients, URL-safe base64 of a version byte, the token family's id, the
/// user's id, the family generation and 32 random bytes. Carrying the family and generation is what lets a spent token
/// be recognised without a stored row of its own; only its SHA-256 is ever stored (as the family's current hash).
/// </summary>
public static class RefreshTokenFormat
{
    private const byte Version = 1;
    private const int SecretBytes = 32;
    private const int Length = 1 + 16 + 16 + 4 + SecretBytes;

    /// <summary>A new random token of generation <paramref name="generation"/> of the family.</summary>
    public static string Create(string familyId, string userId, int generation)
    {
        var bytes = new byte[Length];
        bytes[0] = Version;
        Guid.ParseExact(familyId, "N").TryWriteBytes(bytes.AsSpan(1, 16));
        Guid.ParseExact(userId, "N").TryWriteBytes(bytes.AsSpan(17, 16));
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(33, 4), generation);
        RandomNumberGenerator.Fill(bytes.AsSpan(37));
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>True when both ids are of the form this format carries (every id the product issues is).</summary>
    public static bool CanCarry(string familyId, string userId) =>
        Guid.TryParseExact(familyId, "N", out _) && Guid.TryParseExact(userId, "N", out _);

    /// <summary>Reads a token of this format; false for anything else (a token of the older format among them).</summary>
    public static bool TryRead(string token, out string familyId, out string userId, out int generation)
    {
        familyId = userId = "";
        generation = 0;
        Span<byte> bytes = stackalloc byte[Length + 1];
        if (token.Length > 128 || !Base64Url.IsValid(token) || Base64Url.DecodeFromChars(token, bytes, out _, out var written) != System.Buffers.OperationStatus.Done
            || written != Length || bytes[0] != Version)
        {
            return false;
        }

        familyId = new Guid(bytes.Slice(1, 16)).ToString("N");
        userId = new Guid(bytes.Slice(17, 16)).ToString("N");
        generation = BinaryPrimitives.ReadInt32BigEndian(bytes.Slice(33, 4));
        return generation > 0;
    }
}
