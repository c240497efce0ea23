using OrbitGrains.Cloud;

namespace OrbitGrains.WebFrontend.Cloud;

public static class CloudFrontEndServiceCollectionExtensions
{
    /// <summary>
    /// The Cloud family on a front end: its options (loaded and checked at start), the key ring when there is one
    /// (see SecretStore.ResolveEncryptionKeys; without it every Cloud route answers 503) and the proxies' limits.
    /// </summary>
    public static IServiceCollection AddCloud(this IServiceCollection services, CloudOptions options, ProviderKeyCipher? keys)
    {
        services.AddSingleton(options);
        if (keys is not null)
        {
            services.AddSingleton(keys);
        }

        services.AddSingleton(CloudProxyOptions.Default);
        return services;
    }
}
