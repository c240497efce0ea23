using System.Buffers.Text;
using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrbitGrains.Tests.Accounts;

/// <summary>
/// A platform authenticator in software: one P-256 key per credential (or Ed25519 with <paramref name="edDsa"/>, or
/// another kind of key through the factories below), "none" attestation, user presence and verification always
/// asserted. It answers WebAuthn options JSON with the response JSON a browser would send.
/// </summary>
public sealed class SoftwareAuthenticator(string origin, bool edDsa = false)
{
    private readonly Dictionary<string, Credential> _credentials = new(StringComparer.Ordinal);
    private Func<ISigner>? _keys;

    public string Origin { get; set; } = origin;

    /// <summary>RS256 keys (COSE alg -257) of <paramref name="bits"/> bits.</summary>
    public static SoftwareAuthenticator Rsa(string origin, int bits) => new(origin) { _keys = () => new RsaSigner(RSA.Create(bits), null) };

    /// <summary>RS256 keys that announce <paramref name="modulus"/> as theirs (a key too weak to exist): registration only.</summary>
    public static SoftwareAuthenticator RsaWithModulus(string origin, byte[] modulus) =>
        new(origin) { _keys = () => new RsaSigner(RSA.Create(2048), modulus) };

    /// <summary>ECDSA keys on another curve, announced with that COSE algorithm and curve (e.g. ES384 on P-384: -35, 2).</summary>
    public static SoftwareAuthenticator Ecdsa(string origin, ECCurve curve, int coseAlgorithm, int coseCurve, HashAlgorithmName hash) =>
        new(origin) { _keys = () => new EcdsaSigner(curve, coseAlgorithm, coseCurve, hash) };

    /// <summary>
    /// What navigator.credentials.create() would return for these creation options; <paramref name="credentialId"/>
    /// makes it announce an id it already gave out (as a hostile client may), with a new key.
    /// </summary>
    public JsonObject Create(JsonObject options, string? credentialId = null)
    {
        var rpId = (string)options["rp"]!["id"]!;
        var userHandle = (string)options["user"]!["id"]!;
        var key = _keys?.Invoke() ?? (edDsa ? new Ed25519Signer() : new EcdsaSigner(ECCurve.NamedCurves.nistP256, -7, 1, HashAlgorithmName.SHA256));
        var id = credentialId is null ? RandomNumberGenerator.GetBytes(32) : Base64Url.DecodeFromChars(credentialId);
        var credential = new Credential(id, key, rpId, userHandle);
        _credentials[Base64Url.EncodeToString(id)] = credential;

        var clientData = ClientData("webauthn.create", (string)options["challenge"]!);
        var authData = AuthenticatorData(rpId, signCount: 0, attested: AttestedCredential(id, key.CoseKey()));
        var attestation = new CborWriter();
        attestation.WriteStartMap(3);
        attestation.WriteTextString("fmt");
        attestation.WriteTextString("none");
        attestation.WriteTextString("attStmt");
        attestation.WriteStartMap(0);
        attestation.WriteEndMap();
        attestation.WriteTextString("authData");
        attestation.WriteByteString(authData);
        attestation.WriteEndMap();

        return new JsonObject
        {
            ["id"] = Base64Url.EncodeToString(id),
            ["rawId"] = Base64Url.EncodeToString(id),
            ["type"] = "public-key",
            ["authenticatorAttachment"] = "platform",
            ["clientExtensionResults"] = new JsonObject(),
            ["response"] = new JsonObject
            {
                ["clientDataJSON"] = Base64Url.EncodeToString(clientData),
                ["attestationObject"] = Base64Url.EncodeToString(attestation.Encode()),
                ["transports"] = new JsonArray("internal"),
            },
        };
    }

    /// <summary>What navigator.credentials.get() would return; uses the first allowed credential this authenticator holds.</summary>
    public JsonObject Get(JsonObject options, string? credentialId = null)
    {
        var rpId = (string)options["rpId"]!;
        credentialId ??= options["allowCredentials"]!.AsArray().Select(c => (string)c!["id"]!).First(_credentials.ContainsKey);
        var credential = _credentials[credentialId];
        credential.SignCount++;

        var clientData = ClientData("webauthn.get", (string)options["challenge"]!);
        var authData = AuthenticatorData(rpId, credential.SignCount, attested: null);
        var signature = credential.Key.Sign([.. authData, .. SHA256.HashData(clientData)]);
        return new JsonObject
        {
            ["id"] = credentialId,
            ["rawId"] = credentialId,
            ["type"] = "public-key",
            ["authenticatorAttachment"] = "platform",
            ["clientExtensionResults"] = new JsonObject(),
            ["response"] = new JsonObject
            {
                ["clientDataJSON"] = Base64Url.EncodeToString(clientData),
                ["authenticatorData"] = Base64Url.EncodeToString(authData),
                ["signature"] = Base64Url.EncodeToString(signature),
                ["userHandle"] = credential.UserHandle,
            },
        };
    }

    /// <summary>
    /// Sets back how many times a credential signed (to <paramref name="to"/>; the next assertion carries one more), as a
    /// cloned authenticator would.
    /// </summary>
    public void RewindSignCount(string credentialId, uint to = 0) => _credentials[credentialId].SignCount = to;

    /// <summary>How many times a credential has signed (the counter of its last assertion).</summary>
    public uint SignCount(string credentialId) => _credentials[credentialId].SignCount;

    private byte[] ClientData(string type, string challenge) => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["type"] = type,
        ["challenge"] = challenge,
        ["origin"] = Origin,
        ["crossOrigin"] = false,
    }));

    private static byte[] AuthenticatorData(string rpId, uint signCount, byte[]? attested)
    {
        // Flags: user present (0x01), user verified (0x04), attested credential data included (0x40).
        byte flags = (byte)(0x01 | 0x04 | (attested is null ? 0 : 0x40));
        var data = new List<byte>(SHA256.HashData(Encoding.UTF8.GetBytes(rpId))) { flags };
        data.AddRange([(byte)(signCount >> 24), (byte)(signCount >> 16), (byte)(signCount >> 8), (byte)signCount]);
        if (attested is not null)
        {
            data.AddRange(attested);
        }

        return [.. data];
    }

    private static byte[] AttestedCredential(byte[] credentialId, byte[] coseKey)
    {
        var data = new List<byte>(new byte[16]); // AAGUID: zeros for a "none" attestation
        data.AddRange([(byte)(credentialId.Length >> 8), (byte)credentialId.Length]);
        data.AddRange(credentialId);
        data.AddRange(coseKey);
        return [.. data];
    }

    private interface ISigner
    {
        /// <summary>The credential public key in COSE (RFC 9052 §7) as authenticator data carries it.</summary>
        byte[] CoseKey();

        byte[] Sign(byte[] data);
    }

    /// <summary>ECDSA (ES256 on P-256 unless told otherwise) with DER signatures (WebAuthn §6.5.6).</summary>
    private sealed class EcdsaSigner(ECCurve curve, int coseAlgorithm, int coseCurve, HashAlgorithmName hash) : ISigner
    {
        private readonly ECDsa _key = ECDsa.Create(curve);

        public byte[] CoseKey()
        {
            var parameters = _key.ExportParameters(includePrivateParameters: false);
            var cose = new CborWriter(CborConformanceMode.Ctap2Canonical);
            cose.WriteStartMap(5);
            cose.WriteInt32(1);  // kty
            cose.WriteInt32(2);  // EC2
            cose.WriteInt32(3);  // alg
            cose.WriteInt32(coseAlgorithm);
            cose.WriteInt32(-1); // crv
            cose.WriteInt32(coseCurve);
            cose.WriteInt32(-2); // x
            cose.WriteByteString(parameters.Q.X!);
            cose.WriteInt32(-3); // y
            cose.WriteByteString(parameters.Q.Y!);
            cose.WriteEndMap();
            return cose.Encode();
        }

        public byte[] Sign(byte[] data) => _key.SignData(data, hash, DSASignatureFormat.Rfc3279DerSequence);
    }

    /// <summary>RS256: RSASSA-PKCS1-v1_5 with SHA-256 (COSE alg -257, an RSA key: RFC 8230 §4).</summary>
    private sealed class RsaSigner(RSA key, byte[]? announcedModulus) : ISigner
    {
        public byte[] CoseKey()
        {
            var parameters = key.ExportParameters(includePrivateParameters: false);
            var cose = new CborWriter(CborConformanceMode.Ctap2Canonical);
            cose.WriteStartMap(4);
            cose.WriteInt32(1);    // kty
            cose.WriteInt32(3);    // RSA
            cose.WriteInt32(3);    // alg
            cose.WriteInt32(-257); // RS256
            cose.WriteInt32(-1);   // n
            cose.WriteByteString(announcedModulus ?? parameters.Modulus!);
            cose.WriteInt32(-2);   // e
            cose.WriteByteString(parameters.Exponent!);
            cose.WriteEndMap();
            return cose.Encode();
        }

        public byte[] Sign(byte[] data) => key.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    /// <summary>EdDSA on Ed25519 (RFC 8032), COSE alg -8, an OKP key (RFC 9053 §7.2).</summary>
    private sealed class Ed25519Signer : ISigner
    {
        private readonly NSec.Cryptography.Key _key = NSec.Cryptography.Key.Create(NSec.Cryptography.SignatureAlgorithm.Ed25519);

        public byte[] CoseKey()
        {
            var cose = new CborWriter(CborConformanceMode.Ctap2Canonical);
            cose.WriteStartMap(4);
            cose.WriteInt32(1);  // kty
            cose.WriteInt32(1);  // OKP
            cose.WriteInt32(3);  // alg
            cose.WriteInt32(-8); // EdDSA
            cose.WriteInt32(-1); // crv
            cose.WriteInt32(6);  // Ed25519
            cose.WriteInt32(-2); // x
            cose.WriteByteString(_key.PublicKey.Export(NSec.Cryptography.KeyBlobFormat.RawPublicKey));
            cose.WriteEndMap();
            return cose.Encode();
        }

        public byte[] Sign(byte[] data) => NSec.Cryptography.SignatureAlgorithm.Ed25519.Sign(_key, data);
    }

    private sealed class Credential(byte[] id, ISigner key, string rpId, string userHandle)
    {
        public byte[] Id { get; } = id;
        public ISigner Key { get; } = key;
        public string RpId { get; } = rpId;
        public string UserHandle { get; } = userHandle;
        public uint SignCount { get; set; }
    }
}
