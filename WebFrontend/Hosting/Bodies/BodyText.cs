namespace OrbitGrains.WebFrontend.Hosting.Bodies;

/// <summary>How the families read a text member of a request: surrounding white space is not part of it.</summary>
public static class BodyText
{
    /// <summary>The text without surrounding white space; null when absent or blank.</summary>
    public static string? Trimmed(this string? value) => value?.Trim() is { Length: > 0 } text ? text : null;
}
