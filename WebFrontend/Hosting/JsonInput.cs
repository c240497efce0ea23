using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace OrbitGrains.WebFrontend.Hosting;

/// <summary>
/// The one reading rule for JSON that comes in, request bodies and socket frames alike: UTF-8 that decodes (RFC 8259
/// §8.1), one well-formed value within a depth, no member name twice in an object (RFC 8259 §4 leaves duplicates to
/// the reader; readers disagree, so the product reads none), and no string that cannot become text (an escaped lone
/// surrogate such as <c>"\ud800"</c>). Checked once, before anything reads a field, so no later reader can throw.
/// </summary>
/// <remarks>
/// Every relayed message passes through here, so the check allocates nothing for the usual input: member names are
/// compared as the bytes they are in the input, and only an escaped name is decoded.
/// </remarks>
public static class JsonInput
{
    private static ReadOnlySpan<byte> ByteOrderMark => [0xEF, 0xBB, 0xBF];

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

    /// <summary>The input without a leading UTF-8 byte order mark, which RFC 8259 §8.1 lets a reader ignore.</summary>
    public static ReadOnlySpan<byte> WithoutByteOrderMark(ReadOnlySpan<byte> utf8) =>
        utf8.StartsWith(ByteOrderMark) ? utf8[ByteOrderMark.Length..] : utf8;

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
        var members = new MemberNames(utf8);
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray when reader.CurrentDepth >= maxDepth:
                        return new JsonProblem(ProblemKind.Syntax, $"is nested deeper than {maxDepth} levels");
                    case JsonTokenType.StartObject:
                        members.Open();
                        break;
                    case JsonTokenType.EndObject:
                        members.Close();
                        break;
                    case JsonTokenType.PropertyName when !members.Add(ref reader):
                        var name = reader.GetString()!;
                        return new JsonProblem(ProblemKind.DuplicateMember,
                            $"has the member '{(name.Length <= 64 ? name : name[..64] + "...")}' twice in one object");
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

    /// <summary>
    /// The member names of the objects open at the reader's position, innermost last: kept as positions in the input
    /// and compared by a linear scan while an object is small, in a hash set once it has many members.
    /// </summary>
    private ref struct MemberNames(ReadOnlySpan<byte> input)
    {
        private const int ScanLimit = 32;
        private readonly ReadOnlySpan<byte> _input = input;
        private List<(int Start, int Length, byte[]? Decoded)>? _names;
        private List<(int From, HashSet<string>? Many)>? _scopes;

        public void Open() => (_scopes ??= []).Add(((_names ??= []).Count, null));

        public void Close()
        {
            var from = _scopes![^1].From;
            _scopes.RemoveAt(_scopes.Count - 1);
            _names!.RemoveRange(from, _names.Count - from);
        }

        /// <summary>False when the object already has a member of this name (compared after unescaping).</summary>
        public bool Add(ref Utf8JsonReader reader)
        {
            var name = reader.ValueIsEscaped
                ? (0, 0, Encoding.UTF8.GetBytes(reader.GetString()!))
                : ((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length, (byte[]?)null);
            var (from, many) = _scopes![^1];
            if (many is null && _names!.Count - from >= ScanLimit)
            {
                many = new HashSet<string>(StringComparer.Ordinal);
                for (var i = from; i < _names.Count; i++)
                {
                    many.Add(Encoding.UTF8.GetString(Text(_names[i])));
                }

                _scopes[^1] = (from, many);
            }

            if (many is not null)
            {
                return many.Add(Encoding.UTF8.GetString(Text(name)));
            }

            var text = Text(name);
            for (var i = from; i < _names!.Count; i++)
            {
                if (Text(_names[i]).SequenceEqual(text))
                {
                    return false;
                }
            }

            _names.Add(name);
            return true;
        }

        private readonly ReadOnlySpan<byte> Text((int Start, int Length, byte[]? Decoded) name) =>
            name.Decoded ?? _input.Slice(name.Start, name.Length);
    }
}
