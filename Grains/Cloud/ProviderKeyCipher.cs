using System.Security.Cryptography;
using System.Text;

namespace OrbitGrains.Cloud;

/// <summary>One encryption key: 256 bits derived from the configured secret, and a short id that names it in ciphertexts.</summary>
public sealed class EncryptionKey
{
    private EncryptionKey(string id, byte[] key)
    {
        Id = id;
        Key = key;
    }

    /// <summary>8 hexadecimal digits; names the key without revealing it.</summary>
    public string Id { get; }

    internal byte[] Key { get; }

    /// <summary>
    /// The key for a configured secret (ENCRYPTION_KEY, at least 32 characters): HKDF-SHA256 over its UTF-8 bytes, so
    /// any strong text works and the same text gives the same key on every silo.
    /// </summary>
    public static EncryptionKey FromSecret(string secret)
    {
        var key = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret.Trim()), 32,
            salt: "orbitgrains cloud"u8.ToArray(), info: "provider keys v1"u8.ToArray());
        var id = Convert.ToHexStringLower(SHA256.HashData([.. "key id:"u8, .. key]))[..8];
        return new EncryptionKey(id, key);
    }
}

/// <summary>
/// Authenticated encryption of provider API keys and instance secrets at rest: AES-256-GCM with a fresh 96-bit nonce
/// per value and the value's owner and purpose as associated data, so a ciphertext copied to another user or provider
/// is refused. A ciphertext reads <c>v1:{key id}:{base64(nonce | ciphertext | tag)}</c>; the current key encrypts, older
/// keys (kept configured) only decrypt, and <see cref="IsCurrent"/> tells a stored value to re-encrypt.
/// </summary>
public sealed class ProviderKeyCipher
{
    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private readonly Dictionary<string, EncryptionKey> _keys;

    public ProviderKeyCipher(EncryptionKey current, IEnumerable<EncryptionKey>? older = null)
    {
        Current = current;
        _keys = new Dictionary<string, EncryptionKey>(StringComparer.Ordinal) { [current.Id] = current };
        foreach (var key in older ?? [])
        {
            _keys.TryAdd(key.Id, key);
        }
    }

    public EncryptionKey Current { get; }

    /// <summary>Encrypts <paramref name="plaintext"/> bound to <paramref name="context"/> (for example "vault:{user}:{provider}").</summary>
    public string Encrypt(string plaintext, string context)
    {
        var data = Encoding.UTF8.GetBytes(plaintext);
        var sealedBytes = new byte[NonceBytes + data.Length + TagBytes];
        var nonce = sealedBytes.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(Current.Key, TagBytes);
        aes.Encrypt(nonce, data, sealedBytes.AsSpan(NonceBytes, data.Length), sealedBytes.AsSpan(NonceBytes + data.Length), Encoding.UTF8.GetBytes(context));
        CryptographicOperations.ZeroMemory(data);
        return $"v1:{Current.Id}:{Convert.ToBase64String(sealedBytes)}";
    }

    /// <summary>
    /// The plaintext of a value <see cref="Encrypt"/> made for the same <paramref name="context"/>.
    /// </summary>
    /// <exception cref="CryptographicException">Tampered, for another context, malformed, or under a key no longer configured.</exception>
    public string Decrypt(string ciphertext, string context)
    {
        var parts = ciphertext.Split(':');
        if (parts.Length != 3 || parts[0] != "v1")
        {
            throw new CryptographicException("Not a ciphertext of this product.");
        }

        if (!_keys.TryGetValue(parts[1], out var key))
        {
            throw new CryptographicException($"Encrypted under key {parts[1]}, which is not configured (ENCRYPTION_KEY or ENCRYPTION_KEYS_PREVIOUS).");
        }

        byte[] sealedBytes;
        try
        {
            sealedBytes = Convert.FromBase64String(parts[2]);
        }
        catch (FormatException ex)
        {
            throw new CryptographicException("The ciphertext is not base64.", ex);
        }

        if (sealedBytes.Length < NonceBytes + TagBytes)
        {
            throw new CryptographicException("The ciphertext is too short.");
        }

        var length = sealedBytes.Length - NonceBytes - TagBytes;
        var plain = new byte[length];
        using var aes = new AesGcm(key.Key, TagBytes);
        // Throws AuthenticationTagMismatchException (a CryptographicException) on any change: nothing unauthenticated is returned.
        aes.Decrypt(sealedBytes.AsSpan(0, NonceBytes), sealedBytes.AsSpan(NonceBytes, length), sealedBytes.AsSpan(NonceBytes + length),
            plain, Encoding.UTF8.GetBytes(context));
        return Encoding.UTF8.GetString(plain);
    }

    /// <summary>True when the value is encrypted under the current key (false: re-encrypt it).</summary>
    public bool IsCurrent(string ciphertext) => ciphertext.StartsWith($"v1:{Current.Id}:", StringComparison.Ordinal);
}
