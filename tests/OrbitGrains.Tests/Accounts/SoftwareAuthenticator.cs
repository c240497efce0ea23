using System.Buffers.Text;
using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrbitGrains.Tests.Accounts;

/// <summary>
/// A platform authenticator in software: one P-256 key per credential (or Ed25519 with <paramref name="edDsa"/>),
/// "none" attestation, user presence and verification always asserted. It answers WebAuthn options JSON with the
/// response JSON a browser would send.
/// </summary>
public sealed class SoftwareAuthenticator(string origin, bool edDsa = false)
{
    private readonly Dictionary<string, Credential> _credentials = new(StringComparer.Ordinal);

    public string Origin { get; set; } = origin;

    /// <summary>What navigator.credentials.create() would return for these creation options.</summary>
    public JsonObject Create(JsonObject options)
    {
        var rpId = (string)options["rp"]!["id"]!;
        var userHandle = (string)options["user"]!["id"]!;
        ISigner key = edDsa ? new Ed25519Signer() : new P256Signer();
        var credentialId = RandomNumberGenerator.GetBytes(32);
        var credential = new Credential(credentialId, key, rpId, userHandle);
        _credentials[Base64Url.EncodeToString(credentialId)] = credential;

        var clientData = ClientData("webauthn.create", (string)options["challenge"]!);
        var authData = AuthenticatorData(rpId, signCount: 0, attested: AttestedCredential(credentialId, key.CoseKey()));
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
            ["id"] = Base64Url.EncodeToString(credentialId),
            ["rawId"] = Base64Url.EncodeToString(credentialId),
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

    /// <summary>Forgets how many times a credential signed, as a cloned authenticator would.</summary>
    public void RewindSignCount(string credentialId) => _credentials[credentialId].SignCount = 0;

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

    /// <summary>ES256: ECDSA on P-256 with SHA-256, DER signatures (WebAuthn §6.5.6).</summary>
    private sealed class P256Signer : ISigner
    {
        private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        public byte[] CoseKey()
        {
            var parameters = _key.ExportParameters(includePrivateParameters: false);
            var cose = new CborWriter(CborConformanceMode.Ctap2Canonical);
            cose.WriteStartMap(5);
            cose.WriteInt32(1);  // kty
            cose.WriteInt32(2);  // EC2
            cose.WriteInt32(3);  // alg
            cose.WriteInt32(-7); // ES256
            cose.WriteInt32(-1); // crv
            cose.WriteInt32(1);  // P-256
            cose.WriteInt32(-2); // x
            cose.WriteByteString(parameters.Q.X!);
            cose.WriteInt32(-3); // y
            cose.WriteByteString(parameters.Q.Y!);
            cose.WriteEndMap();
            return cose.Encode();
        }

        public byte[] Sign(byte[] data) => _key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
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
