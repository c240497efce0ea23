using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrbitGrains.WebFrontend.Hosting.Bodies;

/// <summary>
/// A text member as the Orbit contract reads it: a JSON string is its text, anything else (a number, an object,
/// null) counts as absent, so the route answers "x is required." rather than a type error. Only for the families
/// whose contract says so (their request contexts list this converter).
/// </summary>
public sealed class LenientString : JsonConverter<string?>
{
    public override bool HandleNull => true;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }

        reader.Skip();
        return null;
    }

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
