using System.Net;
using System.Net.Sockets;

namespace OrbitGrains.Hosting;

/// <summary>
/// Checks, before anything starts, that the ports this process will listen on are free. Without it a taken HTTP port
/// is found only after the silo has started (a dozen lines of stack trace while it stops again), and a taken Orleans
/// port is not found at all: the silo runs on without its listener.
/// </summary>
public static class PortProbe
{
    /// <summary>A port to check and what it is for, as the operator configures it (e.g. "ORLEANS_SILO_PORT").</summary>
    public sealed record Wanted(IPEndPoint EndPoint, string Setting);

    /// <summary>The silo-to-silo and gateway ports of these settings.</summary>
    public static IEnumerable<Wanted> Orleans(OrbitClusterSettings settings)
    {
        var address = settings.Mode == ClusteringMode.Postgres ? settings.AdvertisedAddress : IPAddress.Loopback;
        yield return new Wanted(new IPEndPoint(address, settings.SiloPort), "ORLEANS_SILO_PORT");
        yield return new Wanted(new IPEndPoint(address, settings.GatewayPort), "ORLEANS_GATEWAY_PORT");
    }

    /// <summary>The listening addresses of ASP.NET Core URLs ("http://127.0.0.1:8080", "http://*:80"); port 0 and host names other than localhost are left to the server.</summary>
    public static IEnumerable<Wanted> Http(IEnumerable<string> urls, string setting)
    {
        foreach (var url in urls)
        {
            if (!Uri.TryCreate(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal),
                    UriKind.Absolute, out var uri) || uri.Port <= 0)
            {
                continue;
            }

            var address = uri.IsLoopback && !IPAddress.TryParse(uri.Host.Trim('[', ']'), out _) ? IPAddress.Loopback
                : IPAddress.TryParse(uri.Host.Trim('[', ']'), out var parsed) ? parsed
                : null;
            if (address is not null)
            {
                yield return new Wanted(new IPEndPoint(address, uri.Port), setting);
            }
        }
    }

    /// <exception cref="OrbitConfigurationException">One of the ports is taken: the message names it and the setting that chose it.</exception>
    public static void EnsureFree(IEnumerable<Wanted> wanted)
    {
        foreach (var (endPoint, setting) in wanted)
        {
            using var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            // As the servers do: a port left in TIME_WAIT by a process that just stopped is free to listen on.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            try
            {
                socket.Bind(endPoint);
                socket.Listen();
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                throw new OrbitConfigurationException($"port {endPoint.Port} on {endPoint.Address} is already in use; set {setting} to a free port.", ex);
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.AddressNotAvailable or SocketError.AccessDenied)
            {
                throw new OrbitConfigurationException($"cannot listen on {endPoint} ({ex.Message}); check {setting}.", ex);
            }
        }
    }
}
