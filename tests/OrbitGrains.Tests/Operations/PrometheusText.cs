using System.Globalization;
using System.Text.RegularExpressions;

namespace OrbitGrains.Tests.Operations;

/// <summary>A scrape in Prometheus' text exposition format, read just enough to sum one metric's samples by label.</summary>
public sealed partial class PrometheusText(string text)
{
    public string Text { get; } = text;

    /// <summary>Whether any sample's name starts with <paramref name="prefix"/>.</summary>
    public bool Has(string prefix) => Samples().Any(s => s.Name.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>The sum of the samples named <paramref name="name"/> that carry every label given (label="value").</summary>
    public double Sum(string name, params string[] labels) =>
        Samples().Where(s => s.Name == name && labels.All(label => s.Labels.Contains(label, StringComparison.Ordinal))).Sum(s => s.Value);

    private IEnumerable<(string Name, string Labels, double Value)> Samples() =>
        Text.Split('\n').Select(line => SamplePattern().Match(line)).Where(m => m.Success).Select(m => (
            m.Groups["name"].Value, m.Groups["labels"].Value,
            double.Parse(m.Groups["value"].Value, NumberStyles.Float, CultureInfo.InvariantCulture)));

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>[-+0-9.eE]+|NaN)( \d+)?$")]
    private static partial Regex SamplePattern();
}
