using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Fido2NetLib;
using Fido2NetLib.Objects;
using OrbitGrains.Accounts;

namespace OrbitGrains.WebFrontend.Accounts.Passkeys;

/// <summary>
/// WebAuthn registration and authentication ceremonies (W3C WebAuthn Level 2 §7.1 and §7.2) verified by Fido2: client
/// data, origin, RP id hash, flags, algorithm, attestation statement, signature and sign count; the key itself is
/// checked here (<see cref="PasskeyKeys"/>: ES256 P-256, EdDSA Ed25519, RS256 of 2048 bits and more).
/// The options a ceremony sent are kept server-side in a <see cref="IPasskeyCeremonyGrain"/> keyed by their challenge:
/// single use, expiring, and never handed to the client again.
/// </summary>
public sealed class PasskeyCeremonies(IFido2 fido2, IGrainFactory grains, PasskeyOptions passkeys, TimeProvider clock)
{
    /// <summary>Creation options for <paramref name="user"/> (a new account's pending id, or an existing account's); the JSON to send.</summary>
    public async Task<string> StartRegistrationAsync(PendingUser user, bool newAccount, PasskeyRecord[] existing, string? inviteHash)
    {
        var options = fido2.RequestNewCredential(new RequestNewCredentialParams
        {
            User = new Fido2User { Id = UserHandle(user.Id), Name = user.Name, DisplayName = user.DisplayName },
            ExcludeCredentials = existing.Select(p => new PublicKeyCredentialDescriptor(p.CredentialId)).ToArray(),
            AuthenticatorSelection = new AuthenticatorSelection
            {
                ResidentKey = ResidentKeyRequirement.Preferred,
                UserVerification = UserVerificationRequirement.Required,
            },
            AttestationPreference = AttestationConveyancePreference.None,
            PubKeyCredParams = PasskeyKeys.Offered,
        });
        var json = options.ToJson();
        await StoreAsync(options.Challenge, new PasskeyCeremony(PasskeyCeremonyKind.Registration, json, user.Id, newAccount, user.Name,
            user.DisplayName, clock.GetUtcNow() + passkeys.ChallengeTtl, inviteHash));
        return json;
    }

    /// <summary>Request options for an account's passkeys; the JSON to send.</summary>
    public async Task<string> StartAuthenticationAsync(UserRecord user, PasskeyRecord[] passkeysOfUser)
    {
        var options = fido2.GetAssertionOptions(new GetAssertionOptionsParams
        {
            AllowedCredentials = passkeysOfUser.Select(p => new PublicKeyCredentialDescriptor(p.CredentialId)).ToArray(),
            UserVerification = UserVerificationRequirement.Required,
        });
        var json = options.ToJson();
        await StoreAsync(options.Challenge, new PasskeyCeremony(PasskeyCeremonyKind.Authentication, json, user.Id, false, user.Name, null,
            clock.GetUtcNow() + passkeys.ChallengeTtl));
        return json;
    }

    /// <summary>The passkey a registration response creates, or null when it does not verify against the ceremony.</summary>
    public async Task<PasskeyRecord?> FinishRegistrationAsync(string credentialJson, PasskeyCeremony ceremony, CancellationToken cancellationToken)
    {
        try
        {
            var response = JsonSerializer.Deserialize<AuthenticatorAttestationRawResponse>(credentialJson);
            if (response is null)
            {
                return null;
            }

            var credential = await fido2.MakeNewCredentialAsync(new MakeNewCredentialParams
            {
                AttestationResponse = response,
                OriginalOptions = CredentialCreateOptions.FromJson(ceremony.HandlerState),
                IsCredentialIdUniqueToUserCallback = async (args, _) =>
                    await grains.GetGrain<IPasskeyCredentialGrain>(Base64Url.EncodeToString(args.CredentialId)).Owner() is null,
            }, cancellationToken);
            if (!PasskeyKeys.IsAcceptable(credential.PublicKey))
            {
                return null;
            }

            return new PasskeyRecord(credential.Id, credential.PublicKey, null, clock.GetUtcNow(), credential.SignCount,
                credential.Transports?.Select(TransportName).ToArray(), IsUserVerified: true, credential.IsBackupEligible, credential.IsBackedUp,
                credential.AttestationObject, credential.AttestationClientDataJson);
        }
        catch (Exception ex) when (ex is Fido2VerificationException or JsonException or FormatException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The passkey with its new sign count after a verified assertion, or null when the assertion does not verify.</summary>
    public async Task<PasskeyRecord?> FinishAuthenticationAsync(
        string credentialJson, PasskeyCeremony ceremony, PasskeyRecord stored, CancellationToken cancellationToken)
    {
        try
        {
            var response = JsonSerializer.Deserialize<AuthenticatorAssertionRawResponse>(credentialJson);
            if (response is null)
            {
                return null;
            }

            var handle = UserHandle(ceremony.UserId);
            var result = await fido2.MakeAssertionAsync(new MakeAssertionParams
            {
                AssertionResponse = response,
                OriginalOptions = AssertionOptions.FromJson(ceremony.HandlerState),
                StoredPublicKey = stored.PublicKey,
                StoredSignatureCounter = stored.SignCount,
                IsUserHandleOwnerOfCredentialIdCallback = (args, _) => Task.FromResult(args.UserHandle.AsSpan().SequenceEqual(handle)),
            }, cancellationToken);
            // A counter that did not move past the stored one means a cloned authenticator (WebAuthn §6.1.1). Checked
            // again where it is stored (IUserGrain.RecordSignIn), which a parallel sign-in cannot slip past.
            if ((result.SignCount != 0 || stored.SignCount != 0) && result.SignCount <= stored.SignCount)
            {
                return null;
            }

            return stored with { SignCount = result.SignCount, IsBackedUp = result.IsBackedUp };
        }
        catch (Exception ex) when (ex is Fido2VerificationException or JsonException or FormatException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    private Task StoreAsync(byte[] challenge, PasskeyCeremony ceremony) =>
        grains.GetGrain<IPasskeyCeremonyGrain>(Base64Url.EncodeToString(challenge)).Start(ceremony);

    /// <summary>The WebAuthn user handle of an account: its id in UTF-8 (what authenticators store and send back).</summary>
    private static byte[] UserHandle(string userId) => Encoding.UTF8.GetBytes(userId);

    private static string TransportName(AuthenticatorTransport transport) => JsonSerializer.Serialize(transport).Trim('"');
}

/// <summary>The account a registration ceremony is for: an existing one, or a new one under a pending id.</summary>
public sealed record PendingUser(string Id, string Name, string DisplayName);
