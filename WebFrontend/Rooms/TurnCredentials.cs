using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace OrbitGrains.WebFrontend.Rooms;

/// <summary>
/// Short-lived TURN credentials in the TURN REST form: username "&lt;unix expiry&gt;:&lt;user&gt;" and
/// credential base64(HMAC-SHA1(secret, username)), which the TURN server checks with the same secret.
/// </summary>
public sealed class TurnCredentials(RoomsOptions options, TimeProvider clock)
{
    public static string Credential(byte[] secret, string username) =>
        Convert.ToBase64String(HMACSHA1.HashData(secret, Encoding.UTF8.GetBytes(username)));

    /// <summary>The ICE server list (RTCIceServer shape) for one participant; TURN entries carry fresh credentials.</summary>
    public JsonArray IceServers(string user)
    {
        var servers = new JsonArray();
        if (options.Turn.StunUrls.Count > 0)
        {
            servers.Add(new JsonObject { ["urls"] = new JsonArray(options.Turn.StunUrls.Select(u => (JsonNode?)JsonValue.Create(u)).ToArray()) });
        }

        if (options.Turn.TurnUrls.Count > 0 && options.Turn.Secret is { } secret)
        {
            var expiry = clock.GetUtcNow().Add(options.Turn.Ttl).ToUnixTimeSeconds();
            // ':' separates expiry and user in this scheme, so it cannot appear inside the user part.
            var username = $"{expiry}:{user.Replace(':', '_')}";
            servers.Add(new JsonObject
            {
                ["urls"] = new JsonArray(options.Turn.TurnUrls.Select(u => (JsonNode?)JsonValue.Create(u)).ToArray()),
                ["username"] = username,
                ["credential"] = Credential(secret, username),
                ["credentialType"] = "password",
            });
        }

        return servers;
    }

    public int TtlSeconds => (int)options.Turn.Ttl.TotalSeconds;
}
