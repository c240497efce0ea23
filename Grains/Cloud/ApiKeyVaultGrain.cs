using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using OrbitGrains.Hosting;

namespace OrbitGrains.Cloud;

/// <summary>
/// A user's provider keys, each an AES-256-GCM ciphertext bound to the user and the provider. On activation, keys
/// under an older ENCRYPTION_KEY are re-encrypted under the current one (the rotation), so after a rotation every
/// vault that is used moves to the new key and the old one can be retired.
/// </summary>
public sealed partial class ApiKeyVaultGrain(
    [PersistentState("api-keys", OrbitStorageNames.GrainState)] IPersistentState<ApiKeyVaultGrain.State> state,
    ProviderKeyCipher cipher,
    ILogger<ApiKeyVaultGrain> logger) : Grain, IApiKeyVaultGrain
{
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var stale = state.State.Keys.Where(k => !cipher.IsCurrent(k.Value)).Select(k => k.Key).ToList();
        var rotated = 0;
        foreach (var provider in stale)
        {
            try
            {
                state.State.Keys[provider] = cipher.Encrypt(cipher.Decrypt(state.State.Keys[provider], Context(provider)), Context(provider));
                rotated++;
            }
            catch (CryptographicException)
            {
                LogUnreadable(logger, this.GetPrimaryKeyString(), provider);
            }
        }

        if (rotated > 0)
        {
            await state.WriteStateAsync(cancellationToken);
        }
    }

    public async Task Put(string provider, string apiKey)
    {
        state.State.Keys[provider] = cipher.Encrypt(apiKey, Context(provider));
        await state.WriteStateAsync();
    }

    public async Task<bool> Remove(string provider)
    {
        if (!state.State.Keys.Remove(provider))
        {
            return false;
        }

        await state.WriteStateAsync();
        return true;
    }

    public Task<string[]> Providers() => Task.FromResult(state.State.Keys.Keys.Order(StringComparer.Ordinal).ToArray());

    public Task<Dictionary<string, string>> Decrypted()
    {
        var keys = new Dictionary<string, string>();
        foreach (var (provider, ciphertext) in state.State.Keys)
        {
            try
            {
                keys[provider] = cipher.Decrypt(ciphertext, Context(provider));
            }
            catch (CryptographicException)
            {
                // Tampered, or under a key no longer configured: refused, never used.
                LogUnreadable(logger, this.GetPrimaryKeyString(), provider);
            }
        }

        return Task.FromResult(keys);
    }

    private string Context(string provider) => $"vault:{this.GetPrimaryKeyString()}:{provider}";

    [LoggerMessage(Level = LogLevel.Warning, Message = "The stored {Provider} key of user {UserId} cannot be decrypted (tampered, or its encryption key is no longer configured); it is not used.")]
    private static partial void LogUnreadable(ILogger logger, string userId, string provider);

    [GenerateSerializer, Alias("OrbitGrains.Cloud.ApiKeyVaultGrain.State")]
    public sealed class State
    {
        /// <summary>Provider to <see cref="ProviderKeyCipher"/> ciphertext.</summary>
        [Id(0)] public Dictionary<string, string> Keys { get; set; } = [];
    }
}
