using Microsoft.Extensions.Configuration;
using OrbitGrains.Hosting;

namespace OrbitGrains.Relay;

/// <summary>
/// How much of each thread's history the relay keeps (sizes in UTF-16 code units, about bytes for ASCII JSON).
/// A thread's messages and artifacts are paged logs: the open page is written behind (once a second at most), a full
/// page is sealed into its own grain once and never rewritten, and the oldest sealed pages are deleted beyond the
/// retention. A message or artifact larger than <see cref="MaxEntryBytes"/> is relayed but not kept for replay
/// (an artifact keeps its summary with a null payload).
/// </summary>
/// <param name="PageBytes">RELAY_HISTORY_PAGE_BYTES (default 64 KiB, 4 KiB..4 MiB): when the open page is sealed.</param>
/// <param name="MessageBytes">RELAY_HISTORY_BYTES (default 4 MiB, at least one page): messages retained per thread.</param>
/// <param name="ArtifactBytes">RELAY_ARTIFACT_HISTORY_BYTES (default 16 MiB, at least one page): artifacts retained per thread.</param>
/// <param name="MaxEntryBytes">RELAY_HISTORY_MAX_ENTRY_BYTES (default 1 MiB, at most the retention).</param>
public sealed record ThreadHistoryOptions(long PageBytes, long MessageBytes, long ArtifactBytes, long MaxEntryBytes)
{
    public static ThreadHistoryOptions Default { get; } = new(64 * 1024, 4L * 1024 * 1024, 16L * 1024 * 1024, 1024 * 1024);

    /// <summary>Reads and checks the settings; a value out of range stops the start with <see cref="OrbitConfigurationException"/>.</summary>
    public static ThreadHistoryOptions Load(IConfiguration configuration)
    {
        var page = Read(configuration, "RELAY_HISTORY_PAGE_BYTES", Default.PageBytes, 4096, 4L * 1024 * 1024);
        var messages = Read(configuration, "RELAY_HISTORY_BYTES", Default.MessageBytes, page, long.MaxValue);
        var artifacts = Read(configuration, "RELAY_ARTIFACT_HISTORY_BYTES", Default.ArtifactBytes, page, long.MaxValue);
        var entry = Read(configuration, "RELAY_HISTORY_MAX_ENTRY_BYTES", Default.MaxEntryBytes, 1024, Math.Min(messages, artifacts));
        return new ThreadHistoryOptions(page, messages, artifacts, entry);
    }

    private static long Read(IConfiguration configuration, string key, long fallback, long min, long max)
    {
        var text = configuration[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return Math.Clamp(fallback, min, max);
        }

        return long.TryParse(text, out var value) && value >= min && value <= max
            ? value
            : throw new OrbitConfigurationException($"{key}='{text}' must be a whole number from {min} to {max}.");
    }
}
