using System.Globalization;

namespace OrbitGrains.Agents;

/// <summary>The periods spend is counted in: the UTC day and the UTC month a moment falls in.</summary>
public static class SpendPeriods
{
    public static string Day(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string Month(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);
}
