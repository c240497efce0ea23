using OrbitGrains.WebFrontend.Hosting;

namespace OrbitGrains.WebFrontend.Sockets;

/// <summary>How a frame turned out when <see cref="Frames"/> read it.</summary>
public enum FrameKind
{
    /// <summary>A JSON object that reads unambiguously: the only kind a family interprets.</summary>
    Object,

    /// <summary>Well-formed JSON that is not an object (an array, a string, a number).</summary>
    OtherJson,

    /// <summary>Not JSON at all (or nested too deep to read). The legacy signaling room relays such text untouched.</summary>
    NotJson,

    /// <summary>JSON that cannot be read unambiguously: a member name twice, or a string that is not valid Unicode.</summary>
    Unreadable,
}

/// <summary>One complete message from a peer: its text and what <see cref="Frames"/> made of it.</summary>
/// <param name="Text">The message as UTF-16 text (it was valid UTF-8).</param>
/// <param name="Problem">For <see cref="FrameKind.Unreadable"/> and <see cref="FrameKind.NotJson"/>: what is wrong, completing "The message ...".</param>
public sealed record InboundFrame(string Text, FrameKind Kind, string? Problem)
{
    public bool IsObject => Kind == FrameKind.Object;
}

/// <summary>
/// The one frame reader of every socket (/ws/client, /ws/anchor, /ws): each message is checked once, on its bytes, by
/// the rule of <see cref="JsonInput"/>, before a family looks at it. A family answers an unreadable message with its
/// own error frame and carries on; nothing that reads a field later can throw on what got through.
/// </summary>
public static class Frames
{
    /// <summary>Deep enough for any protocol message (JSON-RPC items nest a dozen levels); deeper is not read.</summary>
    public const int MaxDepth = 64;

    public static InboundFrame Read(ReadOnlySpan<byte> utf8, string text)
    {
        var problem = JsonInput.Check(utf8, MaxDepth);
        if (problem is not null)
        {
            return new InboundFrame(text, problem.Kind == JsonInput.ProblemKind.Syntax ? FrameKind.NotJson : FrameKind.Unreadable, problem.Message);
        }

        var json = JsonInput.WithoutByteOrderMark(utf8);
        var first = json.IndexOfAnyExcept(" \t\r\n"u8);
        return new InboundFrame(text, first >= 0 && json[first] == (byte)'{' ? FrameKind.Object : FrameKind.OtherJson, null);
    }

    /// <summary>For a frame made from text (tests, internal callers): the same reading as for received bytes.</summary>
    public static InboundFrame Read(string text) => Read(System.Text.Encoding.UTF8.GetBytes(text), text);
}
