namespace OrbitGrains.WebFrontend.Accounts.Passkeys;

/// <summary>The account as ASP.NET Core Identity's passkey handler sees it; the grains stay the source of truth.</summary>
public sealed class PasskeyUser
{
    public required string Id { get; init; }

    public required string Name { get; init; }
}
