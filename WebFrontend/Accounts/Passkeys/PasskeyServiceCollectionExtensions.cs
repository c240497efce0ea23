using Microsoft.AspNetCore.Identity;

namespace OrbitGrains.WebFrontend.Accounts.Passkeys;

public static class PasskeyServiceCollectionExtensions
{
    public static IServiceCollection AddPasskeys(this IServiceCollection services, IConfiguration configuration)
    {
        var options = PasskeyOptions.Load(configuration);
        services.AddSingleton(options);
        services.AddIdentityCore<PasskeyUser>().AddUserStore<GrainPasskeyStore>();
        services.Configure<IdentityPasskeyOptions>(passkey =>
        {
            passkey.ServerDomain = options.RelyingPartyId;
            passkey.AuthenticatorTimeout = options.ChallengeTtl;
            passkey.UserVerificationRequirement = "required";
            passkey.ResidentKeyRequirement = "preferred";
            passkey.AttestationConveyancePreference = "none";
            passkey.ValidateOrigin = context => ValueTask.FromResult(options.IsAllowed(context.Origin) && !context.CrossOrigin);
        });
        services.AddScoped<IPasskeyHandler<PasskeyUser>, PasskeyHandler<PasskeyUser>>();
        return services;
    }
}
