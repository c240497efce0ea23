using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using OrbitGrains.Cloud;
using OrbitGrains.Hosting;
using OrbitGrains.Tests.Accounts;

namespace OrbitGrains.Tests.Cloud;

public sealed class CloudEncryptionTests : IDisposable
{
    private readonly TempDirectory _data = new("orbit-cloud-keys");

    private static readonly EncryptionKey Old = EncryptionKey.FromSecret("old-encryption-key-0123456789abcdefghijklmn");
    private static readonly EncryptionKey New = EncryptionKey.FromSecret("new-encryption-key-0123456789abcdefghijklmn");

    [Fact]
    public void A_tampered_ciphertext_or_one_for_another_owner_is_refused_not_decrypted()
    {
        var cipher = new ProviderKeyCipher(New);
        var sealedKey = cipher.Encrypt("sk-secret", "vault:u1:openai");
        Assert.Equal("sk-secret", cipher.Decrypt(sealedKey, "vault:u1:openai"));
        Assert.DoesNotContain("sk-secret", sealedKey);
        Assert.NotEqual(sealedKey, cipher.Encrypt("sk-secret", "vault:u1:openai"));

        var bytes = Convert.FromBase64String(sealedKey.Split(':')[2]);
        for (var i = 0; i < bytes.Length; i++)
        {
            var copy = (byte[])bytes.Clone();
            copy[i] ^= 0x01;
            var tampered = $"v1:{New.Id}:{Convert.ToBase64String(copy)}";
            Assert.ThrowsAny<CryptographicException>(() => cipher.Decrypt(tampered, "vault:u1:openai"));
        }

        Assert.ThrowsAny<CryptographicException>(() => cipher.Decrypt(sealedKey, "vault:u2:openai"));
        Assert.ThrowsAny<CryptographicException>(() => cipher.Decrypt(sealedKey, "vault:u1:google"));
        Assert.ThrowsAny<CryptographicException>(() => cipher.Decrypt("v1:deadbeef:AAAA", "vault:u1:openai"));
        Assert.ThrowsAny<CryptographicException>(() => cipher.Decrypt("garbage", "vault:u1:openai"));
    }

    [Fact]
    public void Older_keys_decrypt_and_only_the_current_key_encrypts()
    {
        var before = new ProviderKeyCipher(Old).Encrypt("sk-1", "c");
        var rotated = new ProviderKeyCipher(New, [Old]);
        Assert.False(rotated.IsCurrent(before));
        Assert.Equal("sk-1", rotated.Decrypt(before, "c"));
        Assert.True(rotated.IsCurrent(rotated.Encrypt("sk-1", "c")));
        Assert.ThrowsAny<CryptographicException>(() => new ProviderKeyCipher(New).Decrypt(before, "c"));
    }

    [Fact]
    public async Task A_rotation_re_encrypts_stored_keys_so_the_old_key_can_be_retired()
    {
        var serviceId = $"cloud-rotate-{Guid.NewGuid():N}";
        await using var ec2 = await FakeEc2.StartAsync();
        string user;
        var configuration = CloudHost.Configuration(_data.Path, serviceId, ec2);
        configuration["ENCRYPTION_KEY"] = "old-encryption-key-0123456789abcdefghijklmn";
        await using (var first = await RunningHost.StartFrontEndAsync(configuration))
        {
            var api = new CloudApi(first.Http);
            user = await api.SignUpAsync();
            await AccountsApi.ExpectJsonAsync(await api.PostAsync("/api/user/api-keys", new { provider = "openai", api_key = "sk-rotated" }, user), System.Net.HttpStatusCode.Created);
        }

        configuration = CloudHost.Configuration(_data.Path, serviceId, ec2);
        configuration["ENCRYPTION_KEY"] = "new-encryption-key-0123456789abcdefghijklmn";
        configuration["ENCRYPTION_KEYS_PREVIOUS"] = "old-encryption-key-0123456789abcdefghijklmn";
        await using (var second = await RunningHost.StartFrontEndAsync(configuration))
        {
            // Reading the vault activates it, which re-encrypts under the new key.
            var listed = await AccountsApi.ExpectJsonAsync(await new CloudApi(second.Http).SendAsync(HttpMethod.Get, "/api/user/api-keys", bearer: user), System.Net.HttpStatusCode.OK);
            Assert.Single(listed["providers"]!.AsArray());
        }

        configuration = CloudHost.Configuration(_data.Path, serviceId, ec2);
        configuration["ENCRYPTION_KEY"] = "new-encryption-key-0123456789abcdefghijklmn";
        await using var third = await RunningHost.StartFrontEndAsync(configuration);
        var instance = await new CloudApi(third.Http).CreateAsync(user);
        Assert.Contains("export OPENAI_API_KEY='sk-rotated'", ec2.Find((string)instance["ec2_instance_id"]!)!.UserData);
    }

    [Fact]
    public async Task A_weak_encryption_key_is_refused_outside_Development()
    {
        var configuration = CloudHost.Configuration(_data.Path, $"cloud-weak-{Guid.NewGuid():N}", null);
        configuration["ENCRYPTION_KEY"] = "change-me";
        var failure = await Assert.ThrowsAsync<OrbitConfigurationException>(() => RunningHost.StartFrontEndAsync(configuration));
        Assert.Contains("ENCRYPTION_KEY", failure.Message);
    }

    [Fact]
    public void User_data_over_15000_bytes_is_gzipped_behind_a_loader_under_16_KB()
    {
        var script = "#!/bin/bash\n" + string.Concat(Enumerable.Range(0, 900).Select(i => $"echo line {i} of a long boot script\n"));
        Assert.True(Encoding.UTF8.GetByteCount(script) > UserDataScript.GzipAbove);
        var packed = UserDataScript.Pack(script);
        Assert.True(Encoding.UTF8.GetByteCount(packed) <= UserDataScript.MaxBytes);
        Assert.StartsWith("#!/bin/bash", packed);
        var start = packed.IndexOf("| bash\n", StringComparison.Ordinal) + "| bash\n".Length;
        var payload = packed[start..packed.LastIndexOf("\nPAYLOAD\n", StringComparison.Ordinal)];
        Assert.DoesNotContain('\r', payload);
        payload = payload.Replace("\n", "");
        using var gzip = new GZipStream(new MemoryStream(Convert.FromBase64String(payload)), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        Assert.Equal(script, reader.ReadToEnd());

        var small = UserDataScript.Build("vncpass1", "gateway-token", new Dictionary<string, string> { ["openai"] = "sk-'quoted'" });
        Assert.Equal(small, UserDataScript.Pack(small));
        Assert.Contains("export OPENAI_API_KEY='sk-'\\''quoted'\\'''", small);
    }

    public void Dispose() => _data.Dispose();
}
