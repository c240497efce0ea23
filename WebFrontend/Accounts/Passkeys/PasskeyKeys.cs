using System.Formats.Cbor;
using System.Security.Cryptography;
using Fido2NetLib;
using Fido2NetLib.Objects;

namespace OrbitGrains.WebFrontend.Accounts.Passkeys;

/// <summary>
/// The passkey public keys the product accepts: ES256 on P-256 (a point on the curve), EdDSA on Ed25519, and RS256
/// with a modulus of <see cref="MinRsaBits"/> to <see cref="MaxRsaBits"/> bits and an odd exponent above 1. Fido2 checks
/// that a key parses and that its signature verifies, not how strong it is: it takes a 1-byte RSA modulus.
/// Keys are COSE_Key maps (RFC 9052 §7; EC2 and OKP in RFC 9053 §7, RSA in RFC 8230 §4).
/// </summary>
public static class PasskeyKeys
{
    /// <summary>NIST SP 800-131A: RSA under 2048 bits is not acceptable for signatures.</summary>
    public const int MinRsaBits = 2048;

    /// <summary>Far above any authenticator's; bounds what verifying one assertion may cost.</summary>
    public const int MaxRsaBits = 16384;

    /// <summary>What registration options offer, most preferred first (WebAuthn §5.4 pubKeyCredParams).</summary>
    public static readonly PubKeyCredParam[] Offered =
    [
        new(COSE.Algorithm.ES256, PublicKeyCredentialType.PublicKey),
        new(COSE.Algorithm.EdDSA, PublicKeyCredentialType.PublicKey),
        new(COSE.Algorithm.RS256, PublicKeyCredentialType.PublicKey),
    ];

    // COSE labels and values (IANA COSE registries).
    private const int Kty = 1, Alg = 3, CrvOrN = -1, XOrE = -2, Y = -3;
    private const int Okp = 1, Ec2 = 2, Rsa = 3;
    private const int Es256 = -7, EdDsa = -8, Rs256 = -257;
    private const int P256 = 1, Ed25519 = 6;

    /// <summary>Whether a credential public key (COSE_Key bytes) is one the product accepts; false for anything else, malformed included.</summary>
    public static bool IsAcceptable(byte[] coseKey)
    {
        if (Read(coseKey) is not { } key || Int(key, Kty) is not { } kty || Int(key, Alg) is not { } alg)
        {
            return false;
        }

        return (kty, alg) switch
        {
            (Ec2, Es256) => Int(key, CrvOrN) == P256 && Bytes(key, XOrE) is { Length: 32 } x && Bytes(key, Y) is { Length: 32 } y && OnP256(x, y),
            (Okp, EdDsa) => Int(key, CrvOrN) == Ed25519 && Bytes(key, XOrE) is { Length: 32 },
            (Rsa, Rs256) => Bytes(key, CrvOrN) is { } n && Bytes(key, XOrE) is { } e && StrongRsa(n, e),
            _ => false,
        };
    }

    private static bool StrongRsa(byte[] modulus, byte[] exponent)
    {
        var n = modulus.AsSpan().TrimStart((byte)0);
        var e = exponent.AsSpan().TrimStart((byte)0);
        var bits = n.IsEmpty ? 0 : (n.Length - 1) * 8 + (8 - byte.LeadingZeroCount(n[0]));
        return bits is >= MinRsaBits and <= MaxRsaBits && (n[^1] & 1) == 1
            && e.Length is > 0 and <= 8 && (e[^1] & 1) == 1 && !(e.Length == 1 && e[0] == 1);
    }

    private static bool OnP256(byte[] x, byte[] y)
    {
        try
        {
            // Importing checks that the point is on the curve.
            using var key = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = x, Y = y } });
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>The map's integer labels with their integer or byte-string values; null when it is not such a map or repeats a label.</summary>
    private static Dictionary<int, object>? Read(byte[] coseKey)
    {
        try
        {
            var reader = new CborReader(coseKey, CborConformanceMode.Lax);
            var count = reader.ReadStartMap();
            var entries = new Dictionary<int, object>();
            for (var i = 0; count is null ? reader.PeekState() != CborReaderState.EndMap : i < count; i++)
            {
                if (reader.PeekState() is not (CborReaderState.UnsignedInteger or CborReaderState.NegativeInteger))
                {
                    return null;
                }

                var label = reader.ReadInt32();
                object? value = reader.PeekState() switch
                {
                    CborReaderState.UnsignedInteger or CborReaderState.NegativeInteger => reader.ReadInt32(),
                    CborReaderState.ByteString => reader.ReadByteString(),
                    _ => Skip(reader),
                };
                if (value is not null && !entries.TryAdd(label, value))
                {
                    return null;
                }
            }

            reader.ReadEndMap();
            return reader.BytesRemaining == 0 ? entries : null;
        }
        catch (Exception ex) when (ex is CborContentException or InvalidOperationException or OverflowException)
        {
            return null;
        }
    }

    private static object? Skip(CborReader reader)
    {
        reader.SkipValue();
        return null;
    }

    private static int? Int(Dictionary<int, object> key, int label) => key.TryGetValue(label, out var value) && value is int number ? number : null;

    private static byte[]? Bytes(Dictionary<int, object> key, int label) => key.TryGetValue(label, out var value) ? value as byte[] : null;
}
