using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using OrbitGrains.Accounts;
using OrbitGrains.WebFrontend.Hosting;
using OrbitGrains.WebFrontend.Hosting.Bodies;

namespace OrbitGrains.WebFrontend.Accounts.Passkeys;

/// <summary>
/// WebAuthn sign-up, sign-in and adding a passkey (AUTH_MODE=passkey), verified by ASP.NET Core Identity's passkey
/// handler. Each ceremony is kept server-side under its challenge: single-use and expiring.
/// </summary>
public static class PasskeyEndpoints
{
    private const string Disabled = "Passkey flow is disabled. Use AUTH_MODE=basic.";
    private const string InvalidCredentials = "Invalid credentials.";

    public static RouteGroupBuilder MapPasskeys(this RouteGroupBuilder auth)
    {
        auth.MapPost("/register/options", RegisterOptionsAsync)
            .WithSummary("WebAuthn creation options for a new account, or (with a Bearer token) for a new passkey of the caller");
        auth.MapPost("/register/verify", RegisterVerifyAsync)
            .WithSummary("Verify a registration response ({credential}); creates the account or adds the passkey, and signs in");
        auth.MapPost("/login/options", LoginOptionsAsync)
            .WithSummary("WebAuthn request options for a user ({username})");
        auth.MapPost("/login/verify", LoginVerifyAsync)
            .WithSummary("Verify an authentication response ({credential}) and sign in");
        return auth;
    }

    private static async Task<IResult> RegisterOptionsAsync(
        HttpContext context, Body<PasskeyRegisterRequest> body, AccountsOptions accounts, PasskeyOptions passkeys, AccountRegistry registry, WebTokenService tokens,
        IPasskeyHandler<PasskeyUser> handler, IGrainFactory grains, TimeProvider clock)
    {
        if (Refuse(context, accounts, passkeys) is { } refused)
        {
            return refused;
        }

        PasskeyUserEntity entity;
        bool newAccount;
        if (RequestToken.Read(context.Request) is { } bearer && await tokens.ValidateAsync(bearer) is { } identity)
        {
            entity = new PasskeyUserEntity { Id = identity.User.Id, Name = identity.User.Name, DisplayName = identity.User.DisplayName };
            newAccount = false;
        }
        else
        {
            if (body.Value.Name.Trimmed() is not { } name)
            {
                return AccountErrors.BadRequest("Name is required.");
            }

            var displayName = body.Value.DisplayName.Trimmed() ?? name;
            if (name.Length > BasicAuthEndpoints.MaxNameLength || name.Any(char.IsControl)
                || displayName.Length > BasicAuthEndpoints.MaxDisplayNameLength || displayName.Any(char.IsControl)
                || await registry.FindAsync(name) is { } existing && existing.Name == name)
            {
                return AccountErrors.BadRequest("Registration failed.");
            }

            // Before the account exists the authenticator is given a pending id, which becomes the user id on success.
            entity = new PasskeyUserEntity { Id = Guid.NewGuid().ToString("N"), Name = name, DisplayName = displayName };
            newAccount = true;
        }

        var options = await handler.MakeCreationOptionsAsync(entity, context);
        var challenge = Challenge(options.CreationOptionsJson);
        await grains.GetGrain<IPasskeyCeremonyGrain>(challenge).Start(new PasskeyCeremony(
            PasskeyCeremonyKind.Registration, options.AttestationState!, entity.Id, newAccount, entity.Name, entity.DisplayName,
            clock.GetUtcNow() + passkeys.ChallengeTtl));
        return Results.Content(options.CreationOptionsJson, "application/json");
    }

    private static async Task<IResult> RegisterVerifyAsync(
        HttpContext context, Body<PasskeyVerifyRequest> body, AccountsOptions accounts, PasskeyOptions passkeys, AccountRegistry registry, WebTokenService tokens,
        IPasskeyHandler<PasskeyUser> handler, IGrainFactory grains, UserManager<PasskeyUser> users)
    {
        if (Refuse(context, accounts, passkeys) is { } refused)
        {
            return refused;
        }

        var (credential, ceremony, problem) = await ReadCeremonyAsync(body.Value, grains, PasskeyCeremonyKind.Registration, "Registration challenge expired.");
        if (problem is not null)
        {
            return problem;
        }

        var result = await handler.PerformAttestationAsync(new PasskeyAttestationContext
        {
            CredentialJson = credential!.Json,
            AttestationState = ceremony!.HandlerState,
            HttpContext = context,
        });
        if (!result.Succeeded || result.UserEntity.Id != ceremony.UserId)
        {
            return AccountErrors.BadRequest("Registration verification failed.");
        }

        UserRecord? user;
        if (ceremony.NewAccount)
        {
            user = await registry.RegisterAsync(ceremony.UserId, ceremony.Name!, ceremony.DisplayName ?? ceremony.Name!, passwordHash: null);
            if (user is null)
            {
                return AccountErrors.BadRequest("Registration failed.");
            }
        }
        else if ((user = await grains.GetGrain<IUserGrain>(ceremony.UserId).Get()) is null)
        {
            return AccountErrors.Error(StatusCodes.Status404NotFound, "User not found.");
        }

        if (!await grains.GetGrain<IPasskeyCredentialGrain>(System.Buffers.Text.Base64Url.EncodeToString(result.Passkey.CredentialId)).Claim(user.Id)
            || !await grains.GetGrain<IUserGrain>(user.Id).AddOrUpdatePasskey(GrainPasskeyStore.ToRecord(result.Passkey)))
        {
            return AccountErrors.BadRequest("Registration verification failed.");
        }

        return await SessionAsync(tokens, user);
    }

    private static async Task<IResult> LoginOptionsAsync(
        HttpContext context, Body<LoginBasicRequest> body, AccountsOptions accounts, PasskeyOptions passkeys, AccountRegistry registry,
        IPasskeyHandler<PasskeyUser> handler, IGrainFactory grains, TimeProvider clock)
    {
        if (Refuse(context, accounts, passkeys) is { } refused)
        {
            return refused;
        }

        if (body.Value.Username.Trimmed() is not { } name)
        {
            return AccountErrors.BadRequest("Username is required.");
        }

        if (name.Length > BasicAuthEndpoints.MaxNameLength || await registry.FindAsync(name) is not { HasPasskey: true } user)
        {
            return AccountErrors.BadRequest(InvalidCredentials);
        }

        var options = await handler.MakeRequestOptionsAsync(new PasskeyUser { Id = user.Id, Name = user.Name }, context);
        await grains.GetGrain<IPasskeyCeremonyGrain>(Challenge(options.RequestOptionsJson)).Start(new PasskeyCeremony(
            PasskeyCeremonyKind.Authentication, options.AssertionState!, user.Id, false, user.Name, null,
            clock.GetUtcNow() + passkeys.ChallengeTtl));
        return Results.Content(options.RequestOptionsJson, "application/json");
    }

    private static async Task<IResult> LoginVerifyAsync(
        HttpContext context, Body<PasskeyVerifyRequest> body, AccountsOptions accounts, PasskeyOptions passkeys, WebTokenService tokens,
        IPasskeyHandler<PasskeyUser> handler, IGrainFactory grains)
    {
        if (Refuse(context, accounts, passkeys) is { } refused)
        {
            return refused;
        }

        var (credential, ceremony, problem) = await ReadCeremonyAsync(body.Value, grains, PasskeyCeremonyKind.Authentication, "Authentication challenge expired.");
        if (problem is not null)
        {
            return problem;
        }

        var owner = await grains.GetGrain<IPasskeyCredentialGrain>(System.Buffers.Text.Base64Url.EncodeToString(credential!.CredentialId)).Owner();
        if (owner is null || owner != ceremony!.UserId)
        {
            return AccountErrors.BadRequest("Unknown credential.");
        }

        var result = await handler.PerformAssertionAsync(new PasskeyAssertionContext
        {
            CredentialJson = credential.Json,
            AssertionState = ceremony.HandlerState,
            HttpContext = context,
        });
        if (!result.Succeeded || result.User.Id != owner)
        {
            return AccountErrors.BadRequest("Authentication verification failed.");
        }

        // The handler checks the sign count but persists nothing: keep the new count so a cloned key shows up.
        var user = grains.GetGrain<IUserGrain>(owner);
        await user.AddOrUpdatePasskey(GrainPasskeyStore.ToRecord(result.Passkey));
        return await SessionAsync(tokens, (await user.Get())!);
    }

    private static async Task<(PasskeyCredentialJson? Credential, PasskeyCeremony? Ceremony, IResult? Problem)> ReadCeremonyAsync(
        PasskeyVerifyRequest body, IGrainFactory grains, PasskeyCeremonyKind kind, string expired)
    {
        var credentialJson = body.Credential is { ValueKind: JsonValueKind.Object } given ? given.GetRawText() : null;
        if (PasskeyCredentialJson.TryRead(credentialJson) is not { } credential)
        {
            return (null, null, AccountErrors.BadRequest("Invalid payload."));
        }

        var taken = await grains.GetGrain<IPasskeyCeremonyGrain>(credential.Challenge).Take();
        return taken switch
        {
            { Status: PasskeyCeremonyStatus.Expired } => (null, null, AccountErrors.BadRequest(expired)),
            { Status: PasskeyCeremonyStatus.Live, Ceremony: { } ceremony } when ceremony.Kind == kind => (credential, ceremony, null),
            _ => (null, null, AccountErrors.BadRequest("Missing challenge.")),
        };
    }

    private static IResult? Refuse(HttpContext context, AccountsOptions accounts, PasskeyOptions passkeys)
    {
        if (accounts.Mode != AuthMode.Passkey)
        {
            return AccountErrors.BadRequest(Disabled);
        }

        return passkeys.IsAllowed(context.Request.Headers.Origin.ToString())
            ? null
            : AccountErrors.Error(StatusCodes.Status403Forbidden, "Origin not allowed.");
    }

    private static string Challenge(string optionsJson)
    {
        using var document = JsonDocument.Parse(optionsJson);
        return document.RootElement.GetProperty("challenge").GetString()!;
    }

    private static async Task<IResult> SessionAsync(WebTokenService tokens, UserRecord user)
    {
        var session = await tokens.StartSessionAsync(user) ?? throw new InvalidOperationException("A new session family was found revoked.");
        return Results.Json(new SessionResponse(true, session.Token, session.RefreshToken, new UserSummary(user.Id, user.Name)));
    }
}
