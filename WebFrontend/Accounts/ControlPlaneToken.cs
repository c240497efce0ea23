using System.Security.Cryptography;
using OrbitGrains.Hosting;
using OrbitGrains.WebFrontend.Hosting;

namespace OrbitGrains.WebFrontend.Accounts;

/// <summary>
/// CONTROL_PLANE_TOKEN: the secret for trusted machine-to-machine calls (issuing user tokens). Held as a hash and
/// compared in constant time. Unset means those calls are refused; a weak value is refused at start-up outside
/// Development.
/// </summary>
public sealed class ControlPlaneToken
{
    public const string Key = "CONTROL_PLANE_TOKEN";
    private readonly byte[]? _hash;

    private ControlPlaneToken(byte[]? hash) => _hash = hash;

    public bool IsConfigured => _hash is not null;

    public bool Matches(string? presented) =>
        _hash is not null && presented is { Length: > 0 and <= 1024 }
        && CryptographicOperations.FixedTimeEquals(OrbitSecrets.Hash(presented), _hash);

    public static ControlPlaneToken Load(IConfiguration configuration, bool isDevelopment)
    {
        var value = configuration[Key];
        if (value is null)
        {
            return new ControlPlaneToken(null);
        }

        if (!isDevelopment && WeakSecrets.Reason(value) is { } reason)
        {
            throw new OrbitConfigurationException($"{Key} is refused outside Development because {reason}. Set a random value of at least {WeakSecrets.MinimumLength} characters.");
        }

        return new ControlPlaneToken(value.Trim().Length == 0 ? null : OrbitSecrets.Hash(value.Trim()));
    }
}
