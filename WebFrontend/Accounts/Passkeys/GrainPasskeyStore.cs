using System.Buffers.Text;
using Microsoft.AspNetCore.Identity;
using OrbitGrains.Accounts;

namespace OrbitGrains.WebFrontend.Accounts.Passkeys;

/// <summary>
/// Identity's user and passkey store over the account grains. Accounts are created by the Accounts endpoints, not
/// through Identity, so the store only reads users and keeps their passkeys.
/// </summary>
public sealed class GrainPasskeyStore(IGrainFactory grains) : IUserPasskeyStore<PasskeyUser>
{
    public async Task<PasskeyUser?> FindByIdAsync(string userId, CancellationToken cancellationToken) =>
        userId.Length is > 0 and <= 128 && await grains.GetGrain<IUserGrain>(userId).Get() is { } user
            ? new PasskeyUser { Id = user.Id, Name = user.Name }
            : null;

    public async Task<PasskeyUser?> FindByPasskeyIdAsync(byte[] credentialId, CancellationToken cancellationToken) =>
        await grains.GetGrain<IPasskeyCredentialGrain>(Base64Url.EncodeToString(credentialId)).Owner() is { } owner
            ? await FindByIdAsync(owner, cancellationToken)
            : null;

    public async Task AddOrUpdatePasskeyAsync(PasskeyUser user, UserPasskeyInfo passkey, CancellationToken cancellationToken)
    {
        if (!await grains.GetGrain<IPasskeyCredentialGrain>(Base64Url.EncodeToString(passkey.CredentialId)).Claim(user.Id)
            || !await grains.GetGrain<IUserGrain>(user.Id).AddOrUpdatePasskey(ToRecord(passkey)))
        {
            throw new InvalidOperationException("The passkey could not be stored for this user.");
        }
    }

    public async Task<IList<UserPasskeyInfo>> GetPasskeysAsync(PasskeyUser user, CancellationToken cancellationToken) =>
        (await grains.GetGrain<IUserGrain>(user.Id).Passkeys()).Select(ToInfo).ToList();

    public async Task<UserPasskeyInfo?> FindPasskeyAsync(PasskeyUser user, byte[] credentialId, CancellationToken cancellationToken) =>
        (await grains.GetGrain<IUserGrain>(user.Id).Passkeys())
            .Where(p => p.CredentialId.AsSpan().SequenceEqual(credentialId)).Select(ToInfo).FirstOrDefault();

    public Task RemovePasskeyAsync(PasskeyUser user, byte[] credentialId, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Removing passkeys is not offered yet.");

    public Task<string> GetUserIdAsync(PasskeyUser user, CancellationToken cancellationToken) => Task.FromResult(user.Id);

    public Task<string?> GetUserNameAsync(PasskeyUser user, CancellationToken cancellationToken) => Task.FromResult<string?>(user.Name);

    public Task<string?> GetNormalizedUserNameAsync(PasskeyUser user, CancellationToken cancellationToken) =>
        Task.FromResult<string?>(user.Name.ToUpperInvariant());

    public Task SetUserNameAsync(PasskeyUser user, string? userName, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task SetNormalizedUserNameAsync(PasskeyUser user, string? normalizedName, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<PasskeyUser?> FindByNameAsync(string normalizedUserName, CancellationToken cancellationToken) =>
        Task.FromResult<PasskeyUser?>(null);

    public Task<IdentityResult> CreateAsync(PasskeyUser user, CancellationToken cancellationToken) => NotHere();

    public Task<IdentityResult> UpdateAsync(PasskeyUser user, CancellationToken cancellationToken) => Task.FromResult(IdentityResult.Success);

    public Task<IdentityResult> DeleteAsync(PasskeyUser user, CancellationToken cancellationToken) => NotHere();

    public void Dispose()
    {
    }

    private static Task<IdentityResult> NotHere() =>
        Task.FromResult(IdentityResult.Failed(new IdentityError { Code = "NotSupported", Description = "Accounts are managed by the Accounts endpoints." }));

    public static PasskeyRecord ToRecord(UserPasskeyInfo p) => new(
        p.CredentialId, p.PublicKey, p.Name, p.CreatedAt, p.SignCount, p.Transports, p.IsUserVerified,
        p.IsBackupEligible, p.IsBackedUp, p.AttestationObject, p.ClientDataJson);

    private static UserPasskeyInfo ToInfo(PasskeyRecord p) => new(
        p.CredentialId, p.PublicKey, p.CreatedAt, p.SignCount, p.Transports, p.IsUserVerified,
        p.IsBackupEligible, p.IsBackedUp, p.AttestationObject, p.ClientDataJson) { Name = p.Name };
}
