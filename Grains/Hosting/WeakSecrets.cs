namespace OrbitGrains.Hosting;

/// <summary>Values that must never protect a non-development deployment: empty, placeholders, the seeds' demo defaults.</summary>
public static class WeakSecrets
{
    public const int MinimumLength = 32;

    private static readonly HashSet<string> Known = new(StringComparer.OrdinalIgnoreCase)
    {
        "change-me", "changeme", "change_me", "default-admin-token-change-me", "demo_token_123",
        "secret", "password", "admin", "token", "dev", "development", "test",
    };

    /// <summary>Why a value is weak, or null when it is acceptable.</summary>
    public static string? Reason(string value)
    {
        var trimmed = value.Trim();
        if (trimmed.Length == 0)
        {
            return "it is empty";
        }

        if (Known.Contains(trimmed))
        {
            return "it is a published placeholder or demo default";
        }

        if (trimmed.Length < MinimumLength)
        {
            return $"it is shorter than {MinimumLength} characters";
        }

        return trimmed.Distinct().Count() < 8 ? "it has too few distinct characters" : null;
    }
}
