using System.Collections;
using System.Reflection;

namespace OrbitGrains.WebFrontend.Pipeline;

/// <summary>
/// Which keys the operator configuration has: exactly those <see cref="OperatorOptions"/> binds (read from its
/// [ConfigurationKeyName] attributes, so the two cannot drift apart), plus the original console's names for a few
/// of them in its YAML file.
/// </summary>
public static class OperatorConfigurationKeys
{
    /// <summary>The original console's key (path under the section) -> ours. Renamed when a YAML file is read.</summary>
    public static readonly IReadOnlyDictionary<string, string> Aliases = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["security:rate_limiting:job_creation_per_minute"] = "security:rate_limiting:jobs_per_minute",
        ["security:rate_limiting:api_requests_per_minute"] = "security:rate_limiting:requests_per_minute",
        ["security:security_headers:hsts_seconds"] = "security:security_headers:hsts_max_age",
        ["security:default_token"] = "security:tokens:admin_token",
    };

    /// <summary>
    /// Renames the original's keys in a flattened file (keys under "Operator:") to ours; a file that sets both names
    /// of one setting is refused, since either choice would ignore a value someone wrote.
    /// </summary>
    public static void RenameAliases(Dictionary<string, string?> flattened, string source)
    {
        var prefix = OperatorOptions.Section + ":";
        foreach (var (alias, ours) in Aliases)
        {
            if (!flattened.Remove(prefix + alias, out var value))
            {
                continue;
            }

            if (flattened.ContainsKey(prefix + ours))
            {
                throw new OrbitGrains.Hosting.OrbitConfigurationException(
                    $"{source} sets both {Dotted(alias)} and {Dotted(ours)}, two names of one setting: keep one.");
            }

            flattened[prefix + ours] = value;
        }
    }

    /// <summary>Every key under the section that no option binds, as dotted paths with a hint each.</summary>
    public static List<string> Unknown(IConfigurationSection section)
    {
        var problems = new List<string>();
        Walk(section, typeof(OperatorOptions), problems);
        return problems;
    }

    public static string Dotted(string path) => path.Replace(':', '.');

    private static void Walk(IConfigurationSection section, Type type, List<string> problems)
    {
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(property => (Name: property.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? property.Name, property.PropertyType))
            .ToDictionary(p => p.Name, p => p.PropertyType, StringComparer.OrdinalIgnoreCase);
        foreach (var child in section.GetChildren())
        {
            if (!properties.TryGetValue(child.Key, out var childType))
            {
                problems.Add(Describe(child.Path, properties.Keys));
                continue;
            }

            Check(child, childType, problems);
        }
    }

    private static void Check(IConfigurationSection section, Type type, List<string> problems)
    {
        if (IsScalar(type))
        {
            foreach (var nested in section.GetChildren())
            {
                problems.Add($"{Dotted(RelativePath(nested.Path))} is not a setting: {Dotted(RelativePath(section.Path))} takes a single value");
            }

            return;
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            // Keys are names the options check themselves (stages); the values have the value type's keys.
            var valueType = type.GetGenericArguments()[1];
            foreach (var entry in section.GetChildren())
            {
                Check(entry, valueType, problems);
            }

            return;
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            var itemType = type.GetGenericArguments()[0];
            foreach (var item in section.GetChildren())
            {
                if (!int.TryParse(item.Key, out _))
                {
                    problems.Add($"{Dotted(RelativePath(item.Path))} is not a setting: {Dotted(RelativePath(section.Path))} is a list");
                    continue;
                }

                Check(item, itemType, problems);
            }

            return;
        }

        Walk(section, type, problems);
    }

    private static string Describe(string path, IEnumerable<string> known)
    {
        var relative = RelativePath(path);
        var text = $"unknown key {Dotted(relative)}";
        if (Aliases.TryGetValue(relative, out var ours))
        {
            // Reached here only from a source other than a YAML file (whose aliases are renamed as it is read).
            return text + $" (the original console's name, read from the YAML file only: elsewhere use {Dotted(ours)})";
        }

        return text + $" (known there: {string.Join(", ", known.Order(StringComparer.Ordinal))})";
    }

    private static string RelativePath(string path) =>
        path.StartsWith(OperatorOptions.Section + ":", StringComparison.OrdinalIgnoreCase) ? path[(OperatorOptions.Section.Length + 1)..] : path;

    private static bool IsScalar(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type == typeof(string) || type == typeof(decimal) || type.IsEnum || !typeof(IEnumerable).IsAssignableFrom(type) && !type.IsClass;
    }
}
