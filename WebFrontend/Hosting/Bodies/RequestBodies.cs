using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Net.Http.Headers;

namespace OrbitGrains.WebFrontend.Hosting.Bodies;

/// <summary>Why a body was refused: the status and the message the family's error shape carries.</summary>
public sealed record BodyRefusal(int Status, string Message);

/// <summary>How one kind of request body is read (see <see cref="IRequestBody{TSelf}"/>, which supplies them).</summary>
/// <param name="MaxBytes">Bytes read at most; one more is a 413.</param>
/// <param name="EmptyBody">Null: an empty body reads as <c>{}</c>. Otherwise the message of the 400 it gets.</param>
/// <param name="FieldStatus">The status of a member of the wrong type (400, or 422 where the family's clients expect it).</param>
/// <param name="MalformedAsEmpty">
/// The Orbit contract: a body that is not a JSON object (malformed, an array, too deep) reads as one with no members,
/// so the route answers with its own "x is required." Text that does not decode and duplicate members are refused all the same.
/// </param>
public sealed record BodyRules(int MaxBytes, string? EmptyBody, int FieldStatus, bool MalformedAsEmpty);

/// <summary>
/// The one reader of request bodies. It counts the bytes it actually reads (chunked or not), so a body over the
/// limit is a 413 however it is sent; it takes JSON only as UTF-8 (a <c>charset</c> parameter may be quoted, RFC 9110
/// §8.3.1); it checks the bytes with <see cref="JsonInput"/> before anything reads a field; and it reads a typed
/// record with a source-generated System.Text.Json context. Endpoints receive the record (<see cref="Body{T}"/>) and
/// never touch the body.
/// </summary>
public static class RequestBodies
{
    /// <summary>Bodies of the product's requests are small JSON objects; 64 KiB unless a request type says otherwise.</summary>
    public const int DefaultMaxBytes = 64 * 1024;

    /// <summary>Deeper than any request the product takes; deeper bodies are refused before they are parsed.</summary>
    public const int MaxDepth = 32;

    /// <summary>Reads a JSON object body into <typeparamref name="T"/>, or says why not.</summary>
    public static async Task<(T? Value, BodyRefusal? Refusal)> ReadJsonAsync<T>(HttpContext context, JsonTypeInfo<T> typeInfo, BodyRules rules)
        where T : class
    {
        var (bytes, refusal) = await ReadBytesAsync(context, rules.MaxBytes);
        if (refusal is not null)
        {
            return (null, refusal);
        }

        var json = JsonInput.WithoutByteOrderMark(bytes);
        if (IsBlank(json))
        {
            return rules.EmptyBody is null
                ? (JsonSerializer.Deserialize("{}"u8, typeInfo), null)
                : (null, new BodyRefusal(StatusCodes.Status400BadRequest, rules.EmptyBody));
        }

        if (MediaTypeProblem(context.Request.ContentType) is { } mediaType)
        {
            return (null, mediaType);
        }

        var problem = JsonInput.Check(json, MaxDepth);
        var notAnObject = problem is null && FirstByte(json) != (byte)'{';
        if (rules.MalformedAsEmpty && (notAnObject || problem?.Kind == JsonInput.ProblemKind.Syntax))
        {
            return (JsonSerializer.Deserialize("{}"u8, typeInfo), null);
        }

        if (problem is not null)
        {
            return (null, new BodyRefusal(StatusCodes.Status400BadRequest, $"The request body {problem.Message}."));
        }

        if (notAnObject)
        {
            return (null, new BodyRefusal(StatusCodes.Status400BadRequest, "The request body must be a JSON object."));
        }

        try
        {
            return (JsonSerializer.Deserialize(json, typeInfo), null);
        }
        catch (JsonException ex)
        {
            return (null, new BodyRefusal(rules.FieldStatus, WrongShape(ex, typeInfo)));
        }
    }

    /// <summary>Fields a form of the product may have; a form with more is refused.</summary>
    public const int MaxFormFields = 16;

    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Reads an HTML form (<c>application/x-www-form-urlencoded</c>, what the product's own pages post), with the same
    /// byte limit as any body, strict UTF-8 and at most <see cref="MaxFormFields"/> fields.
    /// </summary>
    public static async Task<(Dictionary<string, Microsoft.Extensions.Primitives.StringValues>? Form, BodyRefusal? Refusal)> ReadFormAsync(
        HttpContext context, int maxBytes)
    {
        if (!MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return (null, new BodyRefusal(StatusCodes.Status415UnsupportedMediaType, "Send the form as application/x-www-form-urlencoded."));
        }

        var (bytes, refusal) = await ReadBytesAsync(context, maxBytes);
        if (refusal is not null)
        {
            return (null, refusal);
        }

        try
        {
            using var reader = new Microsoft.AspNetCore.WebUtilities.FormReader(StrictUtf8.GetString(bytes)) { ValueCountLimit = MaxFormFields };
            return (reader.ReadForm(), null);
        }
        catch (Exception ex) when (ex is System.Text.DecoderFallbackException or InvalidDataException)
        {
            return (null, new BodyRefusal(StatusCodes.Status400BadRequest, $"The form could not be read: at most {MaxFormFields} fields of UTF-8 text."));
        }
    }

    /// <summary>
    /// Reads at most <paramref name="maxBytes"/> + 1 bytes: a lying or endless body costs no more than the limit.
    /// </summary>
    public static async Task<(byte[] Bytes, BodyRefusal? Refusal)> ReadBytesAsync(HttpContext context, int maxBytes)
    {
        var request = context.Request;
        if (request.ContentLength > maxBytes)
        {
            return ([], TooLarge(maxBytes));
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        try
        {
            while (buffer.Length <= maxBytes)
            {
                var read = await request.Body.ReadAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, maxBytes + 1 - buffer.Length)), context.RequestAborted);
                if (read == 0)
                {
                    break;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException ex)
        {
            return ([], ex.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? TooLarge(maxBytes)
                : new BodyRefusal(ex.StatusCode, "The request body could not be read."));
        }
        catch (IOException)
        {
            // Kestrel reports some malformed framing (a chunk size past 64 bits) as a plain IOException rather than a
            // BadHttpRequestException; a peer that broke off mid-body lands here too and no longer reads the answer.
            return ([], new BodyRefusal(StatusCodes.Status400BadRequest, "The request body could not be read."));
        }

        return buffer.Length > maxBytes ? ([], TooLarge(maxBytes)) : (buffer.ToArray(), null);
    }

    /// <summary>Null when a JSON body may come with this Content-Type: none, JSON (<c>+json</c> too) or plain text, in UTF-8.</summary>
    public static BodyRefusal? MediaTypeProblem(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return null;
        }

        if (!MediaTypeHeaderValue.TryParse(contentType, out var parsed) || parsed.MediaType.Value is not { } mediaType)
        {
            return new BodyRefusal(StatusCodes.Status415UnsupportedMediaType, "The Content-Type header is not a media type; send application/json.");
        }

        var json = mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("text/plain", StringComparison.OrdinalIgnoreCase);
        if (!json)
        {
            return new BodyRefusal(StatusCodes.Status415UnsupportedMediaType, "Send a JSON body (Content-Type: application/json).");
        }

        var charset = HeaderUtilities.RemoveQuotes(parsed.Charset).Value;
        return charset is null or "" || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase)
            ? null
            : new BodyRefusal(StatusCodes.Status415UnsupportedMediaType, "JSON bodies are read as UTF-8 only (charset=utf-8).");
    }

    private static BodyRefusal TooLarge(int maxBytes) => new(StatusCodes.Status413PayloadTooLarge,
        maxBytes % 1024 == 0 ? $"The request body is larger than {maxBytes / 1024} KiB." : $"The request body is larger than {maxBytes} bytes.");

    /// <summary>"'name' must be a string.", from the path System.Text.Json reports and the member's declared type.</summary>
    private static string WrongShape<T>(JsonException ex, JsonTypeInfo<T> typeInfo)
    {
        var member = ex.Path is { } path && path.StartsWith("$.", StringComparison.Ordinal)
            ? path[2..].Split('.', '[')[0]
            : null;
        var property = typeInfo.Properties.FirstOrDefault(p => p.Name == member);
        return property is null
            ? "The request body does not have the documented shape."
            : $"'{property.Name}' must be {Describe(property.PropertyType)}.";
    }

    private static string Describe(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type == typeof(string) ? "a string"
            : type == typeof(bool) ? "true or false"
            : type == typeof(int) || type == typeof(long) ? "a whole number"
            : type == typeof(double) || type == typeof(decimal) ? "a number"
            : type == typeof(JsonElement) ? "a JSON value"
            : type.IsArray || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>)) ? "a list"
            : "a JSON object of the documented shape";
    }

    private static bool IsBlank(ReadOnlySpan<byte> json) => json.IndexOfAnyExcept(" \t\r\n"u8) < 0;

    private static byte FirstByte(ReadOnlySpan<byte> json) => json[json.IndexOfAnyExcept(" \t\r\n"u8)];
}
