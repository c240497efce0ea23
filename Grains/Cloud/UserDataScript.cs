using System.IO.Compression;
using System.Text;

namespace OrbitGrains.Cloud;

/// <summary>
/// The boot script of an instance (EC2 user data): starts the desktop (VNC with the instance's own password, on 5900)
/// and the agent gateway (with the instance's own token, on 18789), with the user's provider keys as environment
/// exports. EC2 takes at most 16 KB of user data; a script over <see cref="GzipAbove"/> bytes is gzipped behind a
/// small shell loader that unpacks and runs it.
/// </summary>
public static class UserDataScript
{
    public const int GzipAbove = 15_000;
    public const int MaxBytes = 16 * 1024;

    /// <summary>The environment variable each provider's key is exported as.</summary>
    public static readonly IReadOnlyDictionary<string, string> KeyVariables = new Dictionary<string, string>
    {
        ["anthropic"] = "ANTHROPIC_API_KEY",
        ["openai"] = "OPENAI_API_KEY",
        ["google"] = "GOOGLE_API_KEY",
    };

    /// <exception cref="InvalidOperationException">Even gzipped, the script is over EC2's 16 KB.</exception>
    public static string Build(string vncPassword, string gatewayToken, IReadOnlyDictionary<string, string> apiKeys)
    {
        var script = new StringBuilder();
        script.Append("#!/bin/bash\nset -euo pipefail\numask 077\n");
        script.Append("install -d -m 700 /etc/cloudbot\n");
        script.Append("cat > /etc/cloudbot/env <<'CLOUDBOT_ENV'\n");
        script.Append($"export CLOUDBOT_GATEWAY_TOKEN={Quote(gatewayToken)}\n");
        foreach (var (provider, key) in apiKeys.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            if (KeyVariables.TryGetValue(provider, out var variable))
            {
                script.Append($"export {variable}={Quote(key)}\n");
            }
        }

        script.Append("CLOUDBOT_ENV\n");
        script.Append("install -d -m 700 /root/.vnc\n");
        script.Append($"printf '%s\\n' {Quote(vncPassword)} | vncpasswd -f > /root/.vnc/passwd\nchmod 600 /root/.vnc/passwd\n");
        script.Append("systemctl enable --now cloudbot-desktop.service cloudbot-gateway.service\n");
        return Pack(script.ToString());
    }

    /// <summary>The script as is when small enough, else gzipped behind a loader that unpacks and runs it.</summary>
    /// <exception cref="InvalidOperationException">Even gzipped, the script is over EC2's 16 KB.</exception>
    public static string Pack(string text)
    {
        if (Encoding.UTF8.GetByteCount(text) <= GzipAbove)
        {
            return text;
        }

        using var packed = new MemoryStream();
        using (var gzip = new GZipStream(packed, CompressionLevel.SmallestSize))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        var loader = $"#!/bin/bash\nset -euo pipefail\nbase64 -d <<'PAYLOAD' | gunzip | bash\n{string.Join('\n', Convert.ToBase64String(packed.ToArray()).Chunk(76).Select(c => new string(c)))}\nPAYLOAD\n";
        return Encoding.UTF8.GetByteCount(loader) <= MaxBytes
            ? loader
            : throw new InvalidOperationException("The instance's user data is over EC2's 16 KB even gzipped.");
    }

    /// <summary>Single-quoted for bash: nothing inside is expanded.</summary>
    private static string Quote(string value) => "'" + value.Replace("'", "'\\''") + "'";
}
