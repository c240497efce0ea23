using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace OrbitGrains.Hosting;

/// <summary>
/// Console logging of both hosts (front end and headless silo): one line per entry with a UTC timestamp, or one JSON
/// object per line with <c>LOG_FORMAT=json</c>; the chattiest framework categories at Warning unless configured.
/// </summary>
public static class OrbitLogging
{
    /// <summary>ISO 8601 in UTC, to the millisecond: log lines of several nodes can be merged and sorted.</summary>
    public const string TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";

    public static void Configure(ILoggingBuilder logging, IConfiguration configuration)
    {
        logging.ClearProviders();
        if (string.Equals(configuration["LOG_FORMAT"], "json", StringComparison.OrdinalIgnoreCase))
        {
            logging.AddJsonConsole(options =>
            {
                options.UseUtcTimestamp = true;
                options.TimestampFormat = TimestampFormat.TrimEnd();
            });
        }
        else
        {
            logging.AddSimpleConsole(options =>
            {
                options.SingleLine = true;
                options.UseUtcTimestamp = true;
                options.TimestampFormat = TimestampFormat;
            });
        }

        QuietUnlessConfigured(logging, configuration, "Orleans");
        // Every request (a probe every few seconds included) logs several lines at Information: that is for
        // diagnosing (Logging__LogLevel__Microsoft.AspNetCore=Information), not for running.
        QuietUnlessConfigured(logging, configuration, "Microsoft.AspNetCore");
        // Orleans' placement retries log every attempt at Information.
        logging.AddFilter("Polly", LogLevel.Warning);
    }

    private static void QuietUnlessConfigured(ILoggingBuilder logging, IConfiguration configuration, string category)
    {
        if (string.IsNullOrWhiteSpace(configuration[$"Logging:LogLevel:{category}"]))
        {
            logging.AddFilter(category, LogLevel.Warning);
        }
    }
}
