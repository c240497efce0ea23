using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace OrbitGrains.WebFrontend.Pipeline;

/// <summary>
/// Turns a free-text brief ("3-4 min explainer on sleep regression, comforting tone, CTA off") into the structured
/// brief of the original console (title, intent, audience, tone, video.target_length_min/max in minutes, keywords,
/// monetization, notes), by plain rules: what the text says is taken, everything else is a stated default, and
/// each default is named in the assumptions so an operator can see what was guessed.
/// </summary>
public static partial class BriefCompiler
{
    public const int MaxTextLength = 5000;

    private const string DefaultTone = "informative";
    private const string DefaultIntent = "narrative_history";
    private const int DefaultMinMinutes = 5;
    private const int DefaultMaxMinutes = 7;

    // Tone words by family; the first word found in the text wins.
    private static readonly string[] Tones =
    [
        "comforting", "warm", "gentle", "soothing", "calm", "authoritative", "confident", "professional", "expert",
        "conversational", "casual", "friendly", "approachable", "dramatic", "intense", "serious", "urgent", "humorous",
        "fun", "lighthearted", "entertaining", "educational", "informative", "instructional", "tutorial",
    ];

    private static readonly (string Word, string Preset)[] Textures =
    [
        ("linen", "linen"), ("woodgrain", "woodgrain"), ("halftone", "halftone"), ("paper", "print_soft"),
        ("vintage", "vintage_paper"), ("minimal", "minimal"), ("modern", "modern_flat"),
    ];

    public sealed record Result(JsonObject Brief, List<string> Assumptions);

    public static Result Compile(string text)
    {
        var lower = text.ToLowerInvariant();
        var assumptions = new List<string>();
        var brief = new JsonObject();

        var topic = TopicPattern().Match(lower) is { Success: true } topicMatch ? topicMatch.Groups["topic"].Value.Trim() : null;
        brief["title"] = topic is { Length: > 0 } ? CultureInfo.InvariantCulture.TextInfo.ToTitleCase(topic) : "";
        if (topic is not { Length: > 0 })
        {
            assumptions.Add("No topic found (\"on ...\" or \"about ...\"): the title is left empty");
        }

        brief["intent"] = DefaultIntent;
        assumptions.Add($"Using default intent: {DefaultIntent}");
        brief["audience"] = new JsonArray();

        var tone = Tones.Select(word => (word, at: WordAt(lower, word))).Where(t => t.at >= 0).OrderBy(t => t.at).Select(t => t.word).FirstOrDefault();
        brief["tone"] = tone ?? DefaultTone;
        if (tone is null)
        {
            assumptions.Add($"Using default tone: {DefaultTone}");
        }

        var (min, max, seconds) = Duration(lower);
        if (min is null)
        {
            assumptions.Add($"Using default duration: {DefaultMinMinutes}-{DefaultMaxMinutes} minutes");
        }

        brief["video"] = new JsonObject { ["target_length_min"] = min ?? DefaultMinMinutes, ["target_length_max"] = max ?? DefaultMaxMinutes };
        if (seconds is not null)
        {
            brief["target_len_sec"] = seconds;
        }

        brief["keywords_include"] = new JsonArray();
        brief["keywords_exclude"] = new JsonArray();
        brief["sources_preferred"] = new JsonArray();

        var monetization = new JsonObject();
        if (CtaOff().IsMatch(lower))
        {
            monetization["cta_enabled"] = false;
        }
        else if (CtaOn().IsMatch(lower))
        {
            monetization["cta_enabled"] = true;
        }
        else
        {
            assumptions.Add("CTA setting not specified, using default");
        }

        brief["monetization"] = monetization;
        if (Textures.FirstOrDefault(t => WordAt(lower, t.Word) >= 0) is { Word: not null } texture)
        {
            brief["texture_preset"] = texture.Preset;
        }
        else
        {
            assumptions.Add("No texture preset specified, using default");
        }

        brief["notes"] = text;
        brief["_source"] = "free_text";
        return new Result(brief, assumptions);
    }

    /// <summary>Minutes (min, max) and, when the text gave seconds, the length in seconds.</summary>
    private static (int? Min, int? Max, int? Seconds) Duration(string lower)
    {
        if (DurationPattern().Match(lower) is not { Success: true } match)
        {
            return (null, null, null);
        }

        var from = Number(match.Groups["from"].Value);
        var to = match.Groups["to"].Success ? Number(match.Groups["to"].Value) : from;
        if (to < from)
        {
            (from, to) = (to, from);
        }

        if (match.Groups["unit"].Value.StartsWith("s", StringComparison.Ordinal))
        {
            // Seconds: the minute bounds round outwards, so a 90 s video is "1-2 minutes" and never "0".
            return (Math.Max(1, from / 60), Math.Max(1, (to + 59) / 60), to);
        }

        return (from, to, null);
    }

    /// <summary>
    /// The value of at most four decimal digits of any script: the pattern's <c>\d</c> matches every Unicode decimal
    /// digit (fullwidth, Arabic-Indic...), as the original's does, and the original's <c>int()</c> reads them all.
    /// </summary>
    private static int Number(string digits)
    {
        var value = 0;
        foreach (var digit in digits)
        {
            value = value * 10 + CharUnicodeInfo.GetDecimalDigitValue(digit);
        }

        return value;
    }

    private static int WordAt(string text, string word)
    {
        var at = 0;
        while ((at = text.IndexOf(word, at, StringComparison.Ordinal)) >= 0)
        {
            var before = at == 0 || !char.IsLetter(text[at - 1]);
            var after = at + word.Length == text.Length || !char.IsLetter(text[at + word.Length]);
            if (before && after)
            {
                return at;
            }

            at += word.Length;
        }

        return -1;
    }

    [GeneratedRegex(@"\b(?<from>\d{1,4})(?:\s*(?:-|–|to)\s*(?<to>\d{1,4}))?\s*(?<unit>min(?:ute)?s?|sec(?:ond)?s?|s)\b")]
    private static partial Regex DurationPattern();

    [GeneratedRegex(@"\b(?:on|about|regarding)\s+(?<topic>[^,.;:!?\n]{2,120})")]
    private static partial Regex TopicPattern();

    [GeneratedRegex(@"\b(?:cta\s+off|no\s+cta|without\s+(?:a\s+)?cta)\b")]
    private static partial Regex CtaOff();

    [GeneratedRegex(@"\b(?:cta\s+on|with\s+(?:a\s+)?cta)\b")]
    private static partial Regex CtaOn();
}
