using System.Text.Json;
using System.Text.RegularExpressions;

namespace OrbitGrains.Tests.Operations;

/// <summary>
/// The parts of the product's Dockerfile its test checks: the publish commands of the build stage and, per runtime
/// stage, what it copies, its environment (inherited from its base stage), user, ports, health check and entrypoint.
/// </summary>
public sealed partial class Dockerfile
{
    public sealed record Publish(string Project, string Output);

    public sealed class Stage(string name, Stage? parent)
    {
        public string Name { get; } = name;
        public Dictionary<string, string> Environment { get; } = parent is null ? [] : new(parent.Environment);
        public List<(string From, string Source)> Copies { get; } = [];
        public List<int> Exposed { get; } = [];
        public string? User { get; set; } = parent?.User;
        public string[]? HealthCheck { get; set; } = parent?.HealthCheck;
        public string[]? Entrypoint { get; set; } = parent?.Entrypoint;
    }

    public List<Publish> Publishes { get; } = [];
    public Dictionary<string, Stage> Stages { get; } = [];

    /// <summary>The stage `docker build` builds without --target: the last one.</summary>
    public string DefaultTarget { get; private set; } = "";

    public static Dockerfile Parse(string text)
    {
        var file = new Dockerfile();
        Stage? stage = null;
        // Continuation lines joined; comments dropped.
        var instructions = Regex.Replace(text, @"\\\r?\n", " ").Split('\n')
            .Select(line => line.Trim()).Where(line => line.Length > 0 && !line.StartsWith('#'));
        foreach (var line in instructions)
        {
            var (keyword, rest) = Split(line);
            switch (keyword)
            {
                case "FROM":
                    var from = FromPattern().Match(rest);
                    var name = from.Success ? from.Groups["name"].Value : $"stage{file.Stages.Count}";
                    stage = new Stage(name, from.Success ? file.Stages.GetValueOrDefault(from.Groups["image"].Value) : null);
                    file.Stages[name] = stage;
                    file.DefaultTarget = name;
                    break;
                case "RUN":
                    foreach (Match publish in PublishPattern().Matches(rest))
                    {
                        file.Publishes.Add(new Publish(publish.Groups["project"].Value, publish.Groups["output"].Value));
                    }

                    break;
                case "COPY" when rest.StartsWith("--from=", StringComparison.Ordinal):
                    var parts = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    stage!.Copies.Add((parts[0]["--from=".Length..], parts[1]));
                    break;
                case "ENV":
                    foreach (Match pair in EnvPattern().Matches(rest))
                    {
                        stage!.Environment[pair.Groups["key"].Value] = pair.Groups["value"].Value;
                    }

                    break;
                case "USER":
                    stage!.User = rest;
                    break;
                case "EXPOSE":
                    stage!.Exposed.AddRange(rest.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse));
                    break;
                case "HEALTHCHECK":
                    stage!.HealthCheck = JsonSerializer.Deserialize<string[]>(rest[(rest.IndexOf("CMD ", StringComparison.Ordinal) + 4)..]);
                    break;
                case "ENTRYPOINT":
                    stage!.Entrypoint = JsonSerializer.Deserialize<string[]>(rest);
                    break;
            }
        }

        return file;
    }

    private static (string Keyword, string Arguments) Split(string line)
    {
        var space = line.IndexOf(' ');
        return space < 0 ? (line.ToUpperInvariant(), "") : (line[..space].ToUpperInvariant(), line[(space + 1)..].Trim());
    }

    [GeneratedRegex(@"^(?:--\S+\s+)*(?<image>\S+)\s+AS\s+(?<name>\S+)", RegexOptions.IgnoreCase)]
    private static partial Regex FromPattern();

    [GeneratedRegex(@"dotnet publish (?<project>\S+\.csproj)\b[^&]*?-o (?<output>\S+)")]
    private static partial Regex PublishPattern();

    [GeneratedRegex(@"(?<key>[A-Za-z_][A-Za-z0-9_]*)=(?<value>\S*)")]
    private static partial Regex EnvPattern();
}
