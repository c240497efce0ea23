using System.Text.Json;
using System.Text.Unicode;

namespace OrbitGrains.WebFrontend.Hosting;

/// <summary>
/// The one reading rule for JSON that comes in, request bodies and socket frames alike: UTF-8 that decodes (RFC 8259
/// §8.1), one well-formed value within a depth, no member name twice in an object (RFC 8259 §4 leaves duplicates to
/// the reader; readers disagree, so the product reads none), and no string that cannot become text (an escaped lone
/// surrogate such as <c>"\ud800"</c>). Checked once, before anything reads a field, so no later reader can throw.
/// </summary>
public static class JsonInput
{
    private static ReadOnlySpan<byte> ByteOrderMark => [0xEF, 0xBB, 0xBF];

    /// <summary>The input without a leading UTF-8 byte order mark, which RFC 8259 §8.1 lets a reader ignore.</summary>
    public static ReadOnlySpan<byte> WithoutByteOrderMark(ReadOnlySpan<byte> utf8) =>
        utf8.StartsWith(ByteOrderMark) ? utf8[ByteOrderMark.Length..] : utf8;

    /// <summary>What kind of problem the input has.</summary>
    public enum ProblemKind
    {
        /// <summary>Text that does not decode: invalid UTF-8, or an escaped lone surrogate.</summary>
        Text,

        /// <summary>A member name twice in one object: readers disagree on which one counts.</summary>
        DuplicateMember,

        /// <summary>Not one well-formed JSON value, or nested too deep.</summary>
        Syntax,
    }

    /// <summary>A problem and its wording, which completes "The request body ..." or "The message ...".</summary>
    public sealed record JsonProblem(ProblemKind Kind, string Message);

    /// <summary>What is wrong with the input, completing "The request body ..." or "The message ..."; null when it is fine.</summary>
    public static string? Problem(ReadOnlySpan<byte> utf8, int maxDepth) => Check(utf8, maxDepth)?.Message;

    /// <summary>What is wrong with the input, with its kind; null when it is fine.</summary>
    public static JsonProblem? Check(ReadOnlySpan<byte> utf8, int maxDepth)
    {
        utf8 = WithoutByteOrderMark(utf8);
        if (!Utf8.IsValid(utf8))
        {
            return new JsonProblem(ProblemKind.Text, "is not valid UTF-8");
        }

        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = maxDepth + 1 });
        var names = new Stack<HashSet<string>>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray when reader.CurrentDepth >= maxDepth:
                        return new JsonProblem(ProblemKind.Syntax, $"is nested deeper than {maxDepth} levels");
                    case JsonTokenType.StartObject:
                        names.Push(new HashSet<string>(StringComparer.Ordinal));
                        break;
                    case JsonTokenType.EndObject:
                        names.Pop();
                        break;
                    case JsonTokenType.PropertyName:
                        var name = reader.GetString()!;
                        if (!names.Peek().Add(name))
                        {
                            return new JsonProblem(ProblemKind.DuplicateMember, $"has the member '{Shorten(name)}' twice in one object");
                        }

                        break;
                    case JsonTokenType.String when reader.ValueIsEscaped:
                        // Unescaped text is already known to be UTF-8; an escape can still spell half a surrogate pair.
                        _ = reader.GetString();
                        break;
                }
            }
        }
        catch (InvalidOperationException)
        {
            return new JsonProblem(ProblemKind.Text, "has a string that is not valid Unicode (an escaped lone surrogate such as \\ud800)");
        }
        catch (JsonException ex)
        {
            return new JsonProblem(ProblemKind.Syntax, $"is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1})");
        }

        return null;
    }

    private static string Shorten(string name) => name.Length <= 64 ? name : name[..64] + "...";
}
