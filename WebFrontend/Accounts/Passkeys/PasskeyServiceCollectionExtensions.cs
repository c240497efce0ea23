using Fido2NetLib;

namespace OrbitGrains.WebFrontend.Accounts.Passkeys;

public static class PasskeyServiceCollectionExtensions
{
    /// <summary>The relying party: Fido2 (fido2-net-lib) configured from PASSKEY_ORIGIN, PASSKEY_RP_ID, CORS_ORIGINS, CHALLENGE_TTL_SEC.</summary>
    public static IServiceCollection AddPasskeys(this IServiceCollection services, IConfiguration configuration)
    {
        var options = PasskeyOptions.Load(configuration);
        services.AddSingleton(options);
        // No metadata service yet: with attestation "none" there is nothing to look up. One can be passed here later
        // (FIDO MDS) to verify authenticator models without touching the ceremonies.
        services.AddSingleton<IFido2>(new Fido2(new Fido2Configuration
        {
            RPID = options.RelyingPartyId,
            RPName = "OrbitGrains",
            // Only the origins named explicitly: "*" in CORS_ORIGINS opens CORS, never the passkey origin check.
            Origins = new HashSet<string>(options.AllowedOrigins, StringComparer.Ordinal),
            Timeout = (uint)options.ChallengeTtl.TotalMilliseconds,
            ChallengeSize = 32,
        }, metadataService: null));
        services.AddSingleton<PasskeyCeremonies>();
        return services;
    }
}
