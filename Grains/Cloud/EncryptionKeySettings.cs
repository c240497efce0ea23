using Microsoft.Extensions.Configuration;
using OrbitGrains.Hosting;

namespace OrbitGrains.Cloud;

/// <summary>
/// ENCRYPTION_KEY and ENCRYPTION_KEYS_PREVIOUS as configured (spec: cloud.md, API keys), checked by one rule on every
/// kind of node, front end and headless silo alike: outside Development a weak value (<see cref="WeakSecrets"/>) is
/// refused, and so is a missing ENCRYPTION_KEY in cluster mode, where every node must read what any other node wrote.
/// </summary>
/// <param name="Current">The configured ENCRYPTION_KEY, or null when none is set.</param>
/// <param name="Previous">Older keys, kept only to decrypt (comma-separated in ENCRYPTION_KEYS_PREVIOUS).</param>
public sealed record EncryptionKeySettings(string? Current, IReadOnlyList<string> Previous)
{
    public const string CurrentKey = "ENCRYPTION_KEY";
    public const string PreviousKey = "ENCRYPTION_KEYS_PREVIOUS";

    /// <summary>Reads and checks the keys.</summary>
    /// <exception cref="OrbitConfigurationException">Outside Development: a weak key, or none in cluster mode. The message never contains the value.</exception>
    public static EncryptionKeySettings Load(IConfiguration configuration, OrbitClusterSettings settings, bool isDevelopment)
    {
        var configured = configuration[CurrentKey];
        var previous = (configuration[PreviousKey] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (!isDevelopment)
        {
            Refuse(CurrentKey, configured);
            foreach (var old in previous)
            {
                Refuse(PreviousKey, old);
            }

            if (configured is null && settings.Mode == ClusteringMode.Postgres)
            {
                throw new OrbitConfigurationException(
                    $"{CurrentKey} is required in cluster mode (ORLEANS_CLUSTERING=postgres) outside Development: every node must share it to " +
                    $"read the Cloud family's stored keys. Set the same random value of at least {WeakSecrets.MinimumLength} characters on every node " +
                    "(for example: openssl rand -base64 48).");
            }
        }

        return new EncryptionKeySettings(string.IsNullOrWhiteSpace(configured) ? null : configured, previous);
    }

    /// <summary>The key ring for <paramref name="current"/> (this one's <see cref="Current"/> unless another is given) and the older keys.</summary>
    public ProviderKeyCipher? Cipher(string? current = null) =>
        (current ?? Current) is { } key ? new ProviderKeyCipher(EncryptionKey.FromSecret(key), Previous.Select(EncryptionKey.FromSecret)) : null;

    private static void Refuse(string key, string? value)
    {
        if (value is not null && WeakSecrets.Reason(value) is { } reason)
        {
            throw new OrbitConfigurationException(
                $"{key} is refused outside Development because {reason}. Set a random value of at least {WeakSecrets.MinimumLength} characters " +
                "(for example: openssl rand -base64 48).");
        }
    }
}
