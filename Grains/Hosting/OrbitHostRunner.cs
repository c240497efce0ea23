using System.Net.Sockets;

namespace OrbitGrains.Hosting;

/// <summary>
/// Runs a host and turns the start-up failures an operator can fix into one readable line and exit code 2,
/// instead of a stack trace.
/// </summary>
public static class OrbitHostRunner
{
    public const int ConfigurationErrorExitCode = 2;

    public static async Task<int> RunAsync(string hostName, Func<Task> run)
    {
        try
        {
            await run();
            return 0;
        }
        catch (Exception ex) when (Describe(ex) is { } message)
        {
            await Console.Error.WriteLineAsync($"{hostName}: cannot start: {message}");
            return ConfigurationErrorExitCode;
        }
    }

    /// <summary>The operator-facing message for a start-up failure, or null when it is a genuine bug.</summary>
    public static string? Describe(Exception ex)
    {
        for (var current = ex; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case OrbitConfigurationException config:
                    return config.Message;
                case SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } socket:
                    return $"a port is already in use ({socket.Message}). Set PORT/--urls, ORLEANS_SILO_PORT or ORLEANS_GATEWAY_PORT to free ports.";
                case IOException io when io.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase):
                    return $"{io.Message}. Set PORT or --urls to a free port.";
            }

            if (current is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    if (Describe(inner) is { } message)
                    {
                        return message;
                    }
                }
            }
        }

        return null;
    }
}
