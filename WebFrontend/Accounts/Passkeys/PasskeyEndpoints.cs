using System.Buffers.Text;
using System.Text.Json;
using OrbitGrains.Accounts;
using OrbitGrains.WebFrontend.Hosting.Access;
using OrbitGrains.WebFrontend.Hosting.Bodies;

namespace OrbitGrains.WebFrontend.Accounts.Passkeys;

/// <summary>
/// WebAuthn sign-up, sign-in and adding a passkey (AUTH_MODE=passkey; spec orbit.md), verified by Fido2
/// (<see cref="PasskeyCeremonies"/>). Each ceremony is kept server-side under its challenge: single-use and expiring.
/// </summary>
public static class PasskeyEndpoints
{
    private const string Disabled = "Passkey flow is disabled. Use AUTH_MODE=basic.";
    private const string InvalidCredentials = "Invalid credentials.";

    public static RouteGroupBuilder MapPasskeys(this RouteGroupBuilder auth)
    {
        auth.MapPost("/register/options", RegisterOptionsAsync).AllowAnonymous()
            .WithSummary("WebAuthn creation options for a new account ({name, displayName, invite?}; limited per address), or (with a Bearer token) for a new passkey of the caller");
        auth.MapPost("/register/verify", RegisterVerifyAsync).AllowAnonymous()
            .WithSummary("Verify a registration response ({credential}); creates the account or adds the passkey, and signs in");
        auth.MapPost("/login/options", LoginOptionsAsync).AllowAnonymous()
            .WithSummary("WebAuthn request options for a user ({username}); limited per address as other anonymous ceremonies");
        auth.MapPost("/login/verify", LoginVerifyAsync).AllowAnonymous()
            .WithSummary("Verify an authentication response ({credential}) and sign in");
        return auth;
    }

    private static async Task<IResult> RegisterOptionsAsync(
        HttpContext context, Body<PasskeyRegisterRequest> body, AccountsOptions accounts, PasskeyOptions passkeys, AccountRegistry registry, PasskeyCeremonies ceremonies,
        IGrainFactory grains, AttemptThrottle throttle)
    {
        if (Refuse(context, accounts, passkeys) is { } refused)
        {
            return refused;
        }

        // A signed-in person adds a passkey to their own account; anyone else starts a new account. Only a web session
        // may add one: a passkey signs in to a web session, so a user token (an API credential) adding one could turn
        // itself into a session that mints user tokens, revoking the owner's.
        if (context.Account() is { } account)
        {
            if (context.CurrentUser()?.Kind != OrbitAuthSchemes.WebSession)
            {
                return AccountErrors.Unauthorised("Adding a passkey needs a web session.");
            }

            var pending = new PendingUser(account.Id, account.Name, account.DisplayName);
            var existing = await grains.GetGrain<IUserGrain>(account.Id).Passkeys();
            return Results.Content(await ceremonies.StartRegistrationAsync(pending, newAccount: false, existing, inviteHash: null), "application/json");
        }

        if (body.Value.Name.Trimmed() is not { } typed)
        {
            return AccountErrors.BadRequest("Name is required.");
        }

        var (name, nameProblem) = UserNames.Normalise(typed);
        var displayName = body.Value.DisplayName.Trimmed() ?? name ?? typed;
        if (nameProblem is not null || UserNames.DisplayNameProblem(displayName, BasicAuthEndpoints.MaxDisplayNameLength) is not null
            || await registry.FindAsync(name!) is { } taken && UserNames.Key(taken.Name) == UserNames.Key(name!))
        {
            return AccountErrors.BadRequest("Registration failed.");
        }

        var invite = AccountRegistry.InviteHash(body.Value.Invite.Trimmed());
        if (await registry.PolicyRefusalAsync(invite) is { } policy)
        {
            return AccountErrors.Error(StatusCodes.Status403Forbidden, new SignUp(null, policy).PolicyMessage!);
        }

        if ((await throttle.CreationAsync(context)).Refusal is { } wait)
        {
            return AccountErrors.Error(StatusCodes.Status429TooManyRequests, wait);
        }

        // Before the account exists the authenticator is given a pending id, which becomes the user id on success.
        var user = new PendingUser(AccountRegistry.NewUserId(), name!, displayName);
        var json = await ceremonies.StartRegistrationAsync(user, newAccount: true, [], invite);
        return Results.Content(json, "application/json");
    }

    private static async Task<IResult> RegisterVerifyAsync(
        HttpContext context, Body<PasskeyVerifyRequest> body, AccountsOptions accounts, PasskeyOptions passkeys, AccountRegistry registry, WebTokenService tokens,
        PasskeyCeremonies ceremonies, IGrainFactory grains)
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

        if (await ceremonies.FinishRegistrationAsync(credential!.Json, ceremony!, context.RequestAborted) is not { } passkey)
        {
            return AccountErrors.BadRequest("Registration verification failed.");
        }

        return ceremony!.NewAccount
            ? await SignUpAsync(ceremony, passkey, registry, tokens, grains)
            : await AddPasskeyAsync(ceremony, passkey, tokens, grains);
    }

    /// <summary>
    /// A new account with its passkey. The credential id is claimed first, under the id the account will have: of two
    /// ceremonies racing with one credential id only one gets past it, before either has created anything, and the
    /// account is then written with the passkey in it. A sign-up refused after the claim gives the claim back.
    /// </summary>
    private static async Task<IResult> SignUpAsync(
        PasskeyCeremony ceremony, PasskeyRecord passkey, AccountRegistry registry, WebTokenService tokens, IGrainFactory grains)
    {
        var credential = grains.GetGrain<IPasskeyCredentialGrain>(Base64Url.EncodeToString(passkey.CredentialId));
        if (!await credential.Claim(ceremony.UserId))
        {
            return AccountErrors.BadRequest("Registration verification failed.");
        }

        SignUp signUp;
        try
        {
            signUp = await registry.SignUpAsync(
                ceremony.UserId, ceremony.Name!, ceremony.DisplayName ?? ceremony.Name!, passwordHash: null, ceremony.InviteHash, passkey);
        }
        catch
        {
            await credential.Release(ceremony.UserId);
            throw;
        }

        if (signUp.User is not { } user)
        {
            await credential.Release(ceremony.UserId);
            return signUp.PolicyMessage is { } policy
                ? AccountErrors.Error(StatusCodes.Status403Forbidden, policy)
                : AccountErrors.BadRequest("Registration failed.");
        }

        return await BasicAuthEndpoints.SessionAsync(tokens, user);
    }

    /// <summary>Another passkey for an existing account; a claim the account then refuses (it is full) is given back.</summary>
    private static async Task<IResult> AddPasskeyAsync(PasskeyCeremony ceremony, PasskeyRecord passkey, WebTokenService tokens, IGrainFactory grains)
    {
        var account = grains.GetGrain<IUserGrain>(ceremony.UserId);
        if (await account.Get() is not { } user)
        {
            return AccountErrors.Error(StatusCodes.Status404NotFound, "User not found.");
        }

        if (user.Disabled)
        {
            // Disabled between the options and this answer: nothing is added, as no other credential of it works.
            return AccountErrors.Unauthorised("Account disabled.");
        }

        var credential = grains.GetGrain<IPasskeyCredentialGrain>(Base64Url.EncodeToString(passkey.CredentialId));
        if (!await credential.Claim(user.Id))
        {
            return AccountErrors.BadRequest("Registration verification failed.");
        }

        if (!await account.AddOrUpdatePasskey(passkey))
        {
            await credential.Release(user.Id);
            return AccountErrors.BadRequest("Registration verification failed.");
        }

        return await BasicAuthEndpoints.SessionAsync(tokens, (await account.Get())!);
    }

    private static async Task<IResult> LoginOptionsAsync(
        HttpContext context, Body<LoginBasicRequest> body, AccountsOptions accounts, PasskeyOptions passkeys, AccountRegistry registry, PasskeyCeremonies ceremonies,
        IGrainFactory grains, AttemptThrottle throttle)
    {
        if (Refuse(context, accounts, passkeys) is { } refused)
        {
            return refused;
        }

        if (body.Value.Username.Trimmed() is not { } name)
        {
            return AccountErrors.BadRequest("Username is required.");
        }

        // Each ceremony is a row kept until it expires. Counted before the name is looked up, names no one has too, so a
        // 429 tells nothing about which names have passkeys.
        if ((await throttle.CreationAsync(context)).Refusal is { } wait)
        {
            return AccountErrors.Error(StatusCodes.Status429TooManyRequests, wait);
        }

        if (name.Length > UserNames.MaxLength || await registry.FindAsync(name) is not { HasPasskey: true, Disabled: false } user)
        {
            return AccountErrors.BadRequest(InvalidCredentials);
        }

        var json = await ceremonies.StartAuthenticationAsync(user, await grains.GetGrain<IUserGrain>(user.Id).Passkeys());
        return Results.Content(json, "application/json");
    }

    private static async Task<IResult> LoginVerifyAsync(
        HttpContext context, Body<PasskeyVerifyRequest> body, AccountsOptions accounts, PasskeyOptions passkeys, WebTokenService tokens, PasskeyCeremonies ceremonies, IGrainFactory grains)
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

        var owner = await grains.GetGrain<IPasskeyCredentialGrain>(Base64Url.EncodeToString(credential!.CredentialId)).Owner();
        var user = grains.GetGrain<IUserGrain>(ceremony!.UserId);
        var stored = owner == ceremony.UserId
            ? (await user.Passkeys()).FirstOrDefault(p => p.CredentialId.AsSpan().SequenceEqual(credential.CredentialId))
            : null;
        if (stored is null)
        {
            return AccountErrors.BadRequest("Unknown credential.");
        }

        if (await ceremonies.FinishAuthenticationAsync(credential.Json, ceremony, stored, context.RequestAborted) is not { } updated)
        {
            return AccountErrors.BadRequest("Authentication verification failed.");
        }

        // The count checked above was read before the assertion was verified: a parallel sign-in with the same count may
        // have stored it since. The account checks and stores it in one turn, so only one of them gets a session.
        if (!await user.RecordSignIn(updated.CredentialId, updated.SignCount, updated.IsBackedUp))
        {
            return AccountErrors.BadRequest("Authentication verification failed.");
        }

        return await user.Get() is { Disabled: false } account
            ? await BasicAuthEndpoints.SessionAsync(tokens, account)
            : AccountErrors.BadRequest(InvalidCredentials);
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
}
