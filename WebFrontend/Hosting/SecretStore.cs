using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using OrbitGrains.Accounts;
using OrbitGrains.Cloud;
using OrbitGrains.Hosting;

namespace OrbitGrains.WebFrontend.Hosting;

/// <summary>
/// Resolves the JWT signing key and the admin token. Configured values always win. With nothing configured,
/// the first start generates strong values and keeps them in the data folder (owner-only file), so a laptop
/// install is safe by default. Weak configured values are refused outside Development.
/// </summary>
public static class SecretStore
{
    public const string JwtSecretKey = "CODEX_REMOTE_WEB_JWT_SECRET";
    public const string AdminTokenKey = "ADMIN_TOKEN";
    public const string FileName = "secrets.json";

    public sealed record Resolution(OrbitSecrets Secrets, string? GeneratedAdminToken, string? FilePath);

    /// <summary>
    /// Refuses weak or missing configured secrets (JWT key, admin token, Cloud encryption keys) with an
    /// <see cref="OrbitConfigurationException"/>, and generates nothing: the start checks this before anything else.
    /// </summary>
    public static void Validate(IConfiguration configuration, OrbitClusterSettings settings, bool isDevelopment)
    {
        CheckConfigured(configuration, settings, isDevelopment);
        _ = EncryptionKeySettings.Load(configuration, settings, isDevelopment);
    }

    /// <summary>
    /// The secrets this node signs and checks with: configured values win; otherwise the data folder's
    /// <see cref="FileName"/>, generated on the first start, which alone returns the new admin token (shown once, only its
    /// hash stored). Refuses what <see cref="Validate"/> refuses.
    /// </summary>
    public static Resolution Resolve(IConfiguration configuration, OrbitClusterSettings settings, bool isDevelopment)
    {
        CheckConfigured(configuration, settings, isDevelopment);
        var configuredJwt = configuration[JwtSecretKey];
        var configuredAdmin = configuration[AdminTokenKey];
        if (configuredJwt is not null && configuredAdmin is not null)
        {
            return new Resolution(new OrbitSecrets(Encoding.UTF8.GetBytes(configuredJwt), OrbitSecrets.Hash(configuredAdmin)), null, null);
        }

        var path = Path.Combine(settings.DataDirectory, FileName);
        var stored = Load(path);
        string? generatedAdmin = null;
        if (stored is null)
        {
            generatedAdmin = RandomToken();
            stored = new StoredSecrets(RandomToken(), Convert.ToHexString(OrbitSecrets.Hash(generatedAdmin)));
            Save(path, stored);
        }

        var jwt = configuredJwt is not null ? Encoding.UTF8.GetBytes(configuredJwt) : Encoding.UTF8.GetBytes(stored.JwtSigningKey);
        var adminHash = configuredAdmin is not null ? OrbitSecrets.Hash(configuredAdmin) : Convert.FromHexString(stored.AdminTokenSha256);
        return new Resolution(new OrbitSecrets(jwt, adminHash), configuredAdmin is null ? generatedAdmin : null, path);
    }

    private static void CheckConfigured(IConfiguration configuration, OrbitClusterSettings settings, bool isDevelopment)
    {
        var configuredJwt = configuration[JwtSecretKey];
        var configuredAdmin = configuration[AdminTokenKey];
        if (!isDevelopment)
        {
            Refuse(JwtSecretKey, configuredJwt);
            Refuse(AdminTokenKey, configuredAdmin);
            if (settings.Mode == ClusteringMode.Postgres && (configuredJwt is null || configuredAdmin is null))
            {
                // Each node generating its own would make a token issued by one front end useless on another.
                throw new OrbitConfigurationException(
                    $"In cluster mode (ORLEANS_CLUSTERING=postgres) every node must share its secrets: set {JwtSecretKey} and {AdminTokenKey}.");
            }
        }
    }

    /// <summary>
    /// Deletes the secrets file <paramref name="resolution"/> generated (nothing when it generated none): called when the
    /// start that made it fails before showing its admin token, which would otherwise be lost with only its hash kept.
    /// </summary>
    public static void ForgetGenerated(Resolution resolution)
    {
        if (resolution is { GeneratedAdminToken: not null, FilePath: { } path })
        {
            File.Delete(path);
        }
    }

    private static void Refuse(string key, string? value)
    {
        if (value is not null && WeakSecrets.Reason(value) is { } reason)
        {
            throw new OrbitConfigurationException(
                $"{key} is refused outside Development because {reason}. Set a random value of at least {WeakSecrets.MinimumLength} characters " +
                "(for example: openssl rand -base64 48), or unset it to let the first start generate one.");
        }
    }

    private static string RandomToken() => TokenHash.NewToken(48);

    private static StoredSecrets? Load(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var stored = JsonSerializer.Deserialize<StoredSecrets>(File.ReadAllText(path));
            return stored is { JwtSigningKey.Length: > 0, AdminTokenSha256.Length: 64 } ? stored
                : throw new OrbitConfigurationException($"{path} is incomplete. Restore it from a backup, or delete it to generate new secrets (existing sessions end).");
        }
        catch (JsonException ex)
        {
            throw new OrbitConfigurationException($"{path} is not valid JSON ({ex.Message}). Restore it, or delete it to generate new secrets.", ex);
        }
    }

    /// <summary>
    /// The Cloud family's encryption key (ENCRYPTION_KEY; spec cloud.md, API keys) with the older keys kept for
    /// decryption (ENCRYPTION_KEYS_PREVIOUS, comma-separated), checked by <see cref="EncryptionKeySettings"/>. Configured
    /// values win. Otherwise, in embedded mode, the first start generates one into the secrets file (an older file gains
    /// it); in cluster mode every node must share it: outside Development a missing one stops the start, in Development
    /// there is no key ring and the Cloud routes answer 503 (null).
    /// </summary>
    public static ProviderKeyCipher? ResolveEncryptionKeys(IConfiguration configuration, OrbitClusterSettings settings, bool isDevelopment)
    {
        // The same check as a headless silo's: weak values, and a missing key in cluster mode, stop the start outside Development.
        var keys = EncryptionKeySettings.Load(configuration, settings, isDevelopment);
        if (keys.Current is not null || settings.Mode == ClusteringMode.Postgres)
        {
            return keys.Cipher();
        }

        var path = Path.Combine(settings.DataDirectory, FileName);
        var stored = Load(path);
        string generated;
        if (stored?.EncryptionKey is { Length: > 0 } kept)
        {
            generated = kept;
        }
        else if (stored is not null)
        {
            generated = RandomToken();
            Replace(path, stored with { EncryptionKey = generated });
        }
        else
        {
            // The JWT key and admin token are configured, so Resolve wrote no file. The file made now is complete (its JWT
            // key and admin token hash are random and unused while the configured values win).
            generated = RandomToken();
            Save(path, new StoredSecrets(RandomToken(), Convert.ToHexString(OrbitSecrets.Hash(RandomToken())), generated));
        }

        return keys.Cipher(generated);
    }

    private static void Replace(string path, StoredSecrets stored)
    {
        var temporary = path + ".new";
        File.Delete(temporary);
        Save(temporary, stored);
        File.Move(temporary, path, overwrite: true);
    }

    private static void Save(string path, StoredSecrets stored)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using var stream = new FileStream(path, options);
            JsonSerializer.Serialize(stream, stored, new JsonSerializerOptions { WriteIndented = true });
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new OrbitConfigurationException($"Cannot write {path}: {ex.Message}. Set DATA_DIR to a writable folder.", ex);
        }
    }

    private sealed record StoredSecrets(
        [property: JsonPropertyName("jwtSigningKey")] string JwtSigningKey,
        [property: JsonPropertyName("adminTokenSha256")] string AdminTokenSha256,
        [property: JsonPropertyName("encryptionKey")] string? EncryptionKey = null);
}
