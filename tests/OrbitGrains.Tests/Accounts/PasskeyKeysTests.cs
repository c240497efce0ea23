using System.Formats.Cbor;
using System.Security.Cryptography;
using OrbitGrains.WebFrontend.Accounts.Passkeys;

namespace OrbitGrains.Tests.Accounts;

/// <summary>The key rules of passkey registration, on COSE keys built by hand (RFC 9052 §7, RFC 9053 §7, RFC 8230 §4).</summary>
public sealed class PasskeyKeysTests
{
    [Fact]
    public void The_three_accepted_kinds_pass()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var q = ec.ExportParameters(false).Q;
        Assert.True(PasskeyKeys.IsAcceptable(Cose((1, 2), (3, -7), (-1, 1), (-2, q.X!), (-3, q.Y!))));
        Assert.True(PasskeyKeys.IsAcceptable(Cose((1, 1), (3, -8), (-1, 6), (-2, new byte[32]))));
        using var rsa = RSA.Create(2048);
        var p = rsa.ExportParameters(false);
        Assert.True(PasskeyKeys.IsAcceptable(Cose((1, 3), (3, -257), (-1, p.Modulus!), (-2, p.Exponent!))));
    }

    [Fact]
    public void Weak_malformed_or_other_keys_are_refused()
    {
        using var rsa = RSA.Create(2048);
        var p = rsa.ExportParameters(false);
        Assert.False(PasskeyKeys.IsAcceptable(Cose((1, 3), (3, -257), (-1, p.Modulus!), (-2, new byte[] { 1 }))));
        Assert.False(PasskeyKeys.IsAcceptable(Cose((1, 3), (3, -257), (-1, p.Modulus![..^1]), (-2, p.Exponent!))));
        Assert.False(PasskeyKeys.IsAcceptable(Cose((1, 3), (3, -257), (-1, (byte[])[0, 0, .. p.Modulus![1..]]), (-2, p.Exponent!))));
        Assert.False(PasskeyKeys.IsAcceptable(Cose((1, 3), (3, -37), (-1, p.Modulus!), (-2, p.Exponent!))));

        // A point that is not on P-256, and coordinates of the wrong size.
        var offCurve = new byte[32];
        offCurve[31] = 1;
        Assert.False(PasskeyKeys.IsAcceptable(Cose((1, 2), (3, -7), (-1, 1), (-2, offCurve), (-3, offCurve))));
        Assert.False(PasskeyKeys.IsAcceptable(Cose((1, 1), (3, -8), (-1, 6), (-2, new byte[31]))));
        Assert.False(PasskeyKeys.IsAcceptable(Cose((1, 1), (3, -8), (-1, 7), (-2, new byte[57]))));

        Assert.False(PasskeyKeys.IsAcceptable([]));
        Assert.False(PasskeyKeys.IsAcceptable([0xA1, 0x01]));
        Assert.False(PasskeyKeys.IsAcceptable(Cose((1, 1), (1, 1), (3, -8), (-1, 6), (-2, new byte[32]))));
    }

    private static byte[] Cose(params (int Label, object Value)[] entries)
    {
        var writer = new CborWriter(CborConformanceMode.Lax);
        writer.WriteStartMap(entries.Length);
        foreach (var (label, value) in entries)
        {
            writer.WriteInt32(label);
            if (value is int number)
            {
                writer.WriteInt32(number);
            }
            else
            {
                writer.WriteByteString((byte[])value);
            }
        }

        writer.WriteEndMap();
        return writer.Encode();
    }
}
