using System.Text;
using System.Text.Json.Nodes;

namespace OrbitGrains.Tests.Hosting;

/// <summary>
/// Mutated inputs for the fuzz test, all drawn from one seeded <see cref="Random"/>, so a run is repeatable: wrong
/// types, nulls, lone surrogates, invalid UTF-8, duplicate members, 1 MB strings, deep nesting, path-like and
/// unicode ids, and near misses of ids the product issued.
/// </summary>
public sealed class FuzzInputs(int seed)
{
    private readonly Random _random = new(seed);

    /// <summary>Ids and texts that have broken stores, routers and parsers before.</summary>
    public static readonly string[] NastyTexts =
    [
        "", " ", "{}", "{0}", "t{0}", "..", "../..", "%00", "\u0000", "a%2Fb", "a/b", "%", "%zz", "日本語", "🙂", "\u202e",
        "cafe", "0cafe", "CAFE", "020235", "20235", "-1", "0", "9999999999999999999999", "1e999", "true", "null",
        "00000000000000000000000000000000", "ABCDEF0123456789ABCDEF0123456789", "job_", "rec-", "global", "admin",
        "<script>", "'; DROP TABLE OrleansStorage; --", "a+b", "a#b", "a?b", new string('x', 300), new string('9', 5000),
    ];

    public int Next(int max) => _random.Next(max);

    public T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    public bool Chance(int percent) => _random.Next(100) < percent;

    /// <summary>A value for a path or query parameter: a nasty text, a valid id, or a near miss of one.</summary>
    public string Id(IReadOnlyList<string> valid)
    {
        return Next(4) switch
        {
            0 when valid.Count > 0 => Pick(valid),
            1 when valid.Count > 0 => Pick(valid).ToUpperInvariant(),
            2 when valid.Count > 0 => Pick(valid) + Pick(["0", "{", "}", "%00", "/..", " "]),
            _ => Pick(NastyTexts),
        };
    }

    /// <summary>A JSON value of some kind other than what a field expects, or a hostile string.</summary>
    public string Value()
    {
        return Next(13) switch
        {
            0 => "null",
            1 => Next(2) == 0 ? "true" : "false",
            2 => Pick(["0", "-1", "1.5", "1e308", "-1e309", "123456789012345678901234567890"]),
            3 => "[1,\"two\",null]",
            4 => "{\"nested\":{\"deeper\":[]}}",
            5 => "\"x\\ud800\"",
            6 => "\"\\udfff\\ud800\"",
            7 => Chance(25) ? Quote(new string('x', 1_000_000)) : Quote(new string('x', 70_000)),
            8 => Deep(200),
            9 => Quote(Pick(NastyTexts)),
            10 => "\"\\u0000\\u001f\\\\\\\"\"",
            11 => Quote("t{0}/../%00/" + Pick(NastyTexts)),
            _ => Quote("ok-" + Next(1000)),
        };
    }

    /// <summary>
    /// A body for an operation with these members: mostly their object with one to three members mutated, sometimes
    /// not an object at all. Raw bytes, so invalid UTF-8 can be sent.
    /// </summary>
    public byte[] Body(IReadOnlyList<string> members, JsonObject? valid)
    {
        switch (Next(14))
        {
            case 0:
                return [];
            case 1:
                return "not json at all"u8.ToArray();
            case 2:
                return Encoding.UTF8.GetBytes(Deep(500));
            case 3:
                return [.. "{\""u8, 0xC3, 0x28, .. "\":\""u8, 0xFF, 0xFE, .. "\"}"u8];
            case 4:
                return "[{}]"u8.ToArray();
            case 5 when members.Count > 0:
                var member = Pick(members);
                return Encoding.UTF8.GetBytes($"{{\"{member}\":{Value()},\"{member}\":{Value()}}}");
            case 6:
                return Encoding.UTF8.GetBytes("{\"" + new string('k', 2000) + "\":" + Value() + "}");
        }

        var body = valid?.DeepClone().AsObject() ?? [];
        var parts = body.Select(p => $"{System.Text.Json.JsonSerializer.Serialize(p.Key)}:{p.Value?.ToJsonString() ?? "null"}").ToList();
        var mutations = 1 + Next(3);
        for (var i = 0; i < mutations && members.Count > 0; i++)
        {
            var name = Pick(members);
            parts.RemoveAll(p => p.StartsWith(System.Text.Json.JsonSerializer.Serialize(name) + ":", StringComparison.Ordinal));
            if (!Chance(20))
            {
                parts.Add($"{System.Text.Json.JsonSerializer.Serialize(name)}:{Value()}");
            }
        }

        return Encoding.UTF8.GetBytes("{" + string.Join(',', parts) + "}");
    }

    /// <summary>A Content-Type for a JSON body: mostly right, sometimes quoted, another charset, or not JSON.</summary>
    public string? ContentType() => Next(10) switch
    {
        0 => null,
        1 => "application/json; charset=\"utf-8\"",
        2 => "application/json; charset=utf-16",
        3 => "text/plain",
        4 => "multipart/form-data; boundary=",
        5 => "application/x-www-form-urlencoded",
        6 => "application/json; charset",
        _ => "application/json",
    };

    /// <summary>A text frame from a valid message of its type, mutated; null when the bytes are not UTF-8 (sent as they are).</summary>
    public byte[] Frame(JsonObject valid)
    {
        switch (Next(12))
        {
            case 0:
                return [.. "{\"type\":\""u8, 0xC3, 0x28, .. "\"}"u8];
            case 1:
                return Encoding.UTF8.GetBytes(Deep(300));
            case 2:
                return "[\"not\",\"an\",\"object\"]"u8.ToArray();
        }

        var members = valid.Select(p => p.Key).ToList();
        return Body(members, valid) is { Length: > 0 } bytes ? bytes : "{}"u8.ToArray();
    }

    private static string Quote(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    private static string Deep(int depth) => new string('[', depth) + new string(']', depth);
}
