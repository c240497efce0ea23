using System.Buffers.Text;
using System.Text.Json;

namespace OrbitGrains.WebFrontend.Accounts.Passkeys;

/// <summary>What the server needs from a WebAuthn response before verifying it: its challenge and credential id.</summary>
public sealed record PasskeyCredentialJson(string Json, string Challenge, byte[] CredentialId)
{
    /// <summary>Null when the credential is not a well-formed WebAuthn response.</summary>
    public static PasskeyCredentialJson? TryRead(string? json)
    {
        if (json is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
            var root = document.RootElement;
            if (!root.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("response", out var response) || response.ValueKind != JsonValueKind.Object
                || !response.TryGetProperty("clientDataJSON", out var clientData) || clientData.ValueKind != JsonValueKind.String)
            {
                return null;
            }

            // The client data is JSON inside the JSON: it is read by the same rule as any body.
            var clientBytes = Base64Url.DecodeFromChars(clientData.GetString());
            if (Hosting.JsonInput.Problem(clientBytes, 8) is not null)
            {
                return null;
            }

            using var client = JsonDocument.Parse(clientBytes, new JsonDocumentOptions { MaxDepth = 8 });
            if (client.RootElement.ValueKind != JsonValueKind.Object || !client.RootElement.TryGetProperty("challenge", out var challenge) || challenge.ValueKind != JsonValueKind.String
                || challenge.GetString() is not { Length: > 0 and <= 512 } challengeText)
            {
                return null;
            }

            return new PasskeyCredentialJson(json, challengeText, Base64Url.DecodeFromChars(id.GetString()));
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            return null;
        }
    }
}
