using OrbitGrains.WebFrontend.Hosting;

namespace OrbitGrains.WebFrontend.Admin;

/// <summary>
/// The Orleans dashboard's per-silo routes (<c>/dashboard/SiloStats/{address}</c> and the like) call a grain on the
/// silo named in the path; given text that is not the address of a live silo of this cluster they fail with a 500.
/// This filter answers those with a 404 before the dashboard sees them.
/// </summary>
public static class DashboardGuard
{
    private static readonly HashSet<string> SiloRoutes = new(StringComparer.OrdinalIgnoreCase)
    {
        "SiloProperties", "SiloMetadata", "SiloStats", "SiloCounters", "HistoricalStats",
    };

    public static async ValueTask<object?> FilterAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var segments = http.Request.Path.Value?.Split('/', StringSplitOptions.RemoveEmptyEntries) ?? [];
        var route = Array.FindIndex(segments, SiloRoutes.Contains);
        if (route >= 0 && !IsLiveSilo(http.RequestServices, Uri.UnescapeDataString(string.Join('/', segments.Skip(route + 1)))))
        {
            return Errors.Of(ErrorShape.Detail, StatusCodes.Status404NotFound, "No live silo of this cluster has that address.");
        }

        return await next(context);
    }

    private static bool IsLiveSilo(IServiceProvider services, string address)
    {
        SiloAddress silo;
        try
        {
            silo = SiloAddress.FromParsableString(address);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or IndexOutOfRangeException or OverflowException)
        {
            return false;
        }

        return services.GetRequiredService<IClusterMembershipService>().CurrentSnapshot.GetSiloStatus(silo) == SiloStatus.Active;
    }
}
