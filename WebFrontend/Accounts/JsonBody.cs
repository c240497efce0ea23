using System.Text.Json;

namespace OrbitGrains.WebFrontend.Accounts;

/// <summary>
/// The fields of a request body that should be a small JSON object. Bodies are parsed here rather than bound, so that
/// an absent, malformed or oddly typed body gets the contract's own "x is required." answer instead of a framework error.
/// </summary>
public sealed class JsonBody
{
    public const int MaxBytes = 64 * 1024;
    private const int MaxDepth = 16;
    private static readonly JsonBody Empty = new(null);

    private readonly JsonElement? _root;

    private JsonBody(JsonElement? root) => _root = root;

    /// <summary>The value of a string member, trimmed; null when absent, not a string, or blank.</summary>
    public string? String(string name) =>
        _root is { } root && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            && value.GetString()!.Trim() is { Length: > 0 } text
            ? text
            : null;

    /// <summary>The values of an array-of-strings member, trimmed; null when absent, not an array, or holding anything else.</summary>
    public string[]? Strings(string name)
    {
        if (_root is not { } root || !root.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var items = value.EnumerateArray().ToArray();
        return items.All(i => i.ValueKind == JsonValueKind.String) ? items.Select(i => i.GetString()!.Trim()).ToArray() : null;
    }

    /// <summary>The value of a whole-number member; null when absent or not an integer.</summary>
    public long? Integer(string name) =>
        _root is { } root && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number)
            ? number
            : null;

    /// <summary>The raw JSON text of an object member; null when absent or not an object.</summary>
    public string? ObjectJson(string name) =>
        _root is { } root && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object
            ? value.GetRawText()
            : null;

    /// <summary>The body, or the error to answer: only a body over <see cref="MaxBytes"/> (413) is an error by itself.</summary>
    public static async Task<(JsonBody? Body, IResult? Error)> ReadAsync(HttpRequest request)
    {
        if (request.ContentLength > MaxBytes)
        {
            return (null, TooLarge());
        }

        byte[] bytes;
        try
        {
            bytes = await ReadCappedAsync(request.Body, request.HttpContext.RequestAborted);
        }
        catch (BadHttpRequestException ex)
        {
            return (null, AccountErrors.Error(ex.StatusCode, "The request body could not be read."));
        }

        if (bytes.Length > MaxBytes)
        {
            return (null, TooLarge());
        }

        if (bytes.Length == 0)
        {
            return (Empty, null);
        }

        try
        {
            using var document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = MaxDepth });
            return document.RootElement.ValueKind == JsonValueKind.Object ? (new JsonBody(document.RootElement.Clone()), null) : (Empty, null);
        }
        catch (JsonException)
        {
            return (Empty, null);
        }
    }

    /// <summary>The one required string member of a body, or the error to answer (413, or 400 with <paramref name="missing"/>).</summary>
    public static async Task<(string? Value, IResult? Error)> ReadRequiredAsync(HttpRequest request, string member, string missing)
    {
        var (body, error) = await ReadAsync(request);
        if (error is not null)
        {
            return (null, error);
        }

        return body!.String(member) is { } value ? (value, null) : (null, AccountErrors.BadRequest(missing));
    }

    // Reads at most one byte past the limit, so an endless or lying body costs no more than the limit.
    private static async Task<byte[]> ReadCappedAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        while (buffer.Length <= MaxBytes)
        {
            var read = await body.ReadAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, MaxBytes + 1 - buffer.Length)), cancellationToken);
            if (read == 0)
            {
                break;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static IResult TooLarge() =>
        AccountErrors.Error(StatusCodes.Status413PayloadTooLarge, $"The request body is larger than {MaxBytes / 1024} KiB.");
}
