using System.Net;
using System.Net.Sockets;

namespace OrbitGrains.Tests.Infrastructure;

/// <summary>Loopback ports nobody listens on right now, for silos and servers started by tests.</summary>
public static class FreePorts
{
    private static readonly HashSet<int> Handed = [];

    public static int Next()
    {
        lock (Handed)
        {
            while (true)
            {
                using var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                // Never hand the same port twice in one run, even after its first user released it.
                if (Handed.Add(port))
                {
                    return port;
                }
            }
        }
    }
}
