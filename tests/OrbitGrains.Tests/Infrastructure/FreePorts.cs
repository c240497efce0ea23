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

    /// <summary>
    /// The first of <paramref name="count"/> consecutive loopback ports that are all free now and were never handed out,
    /// for a script that numbers its nodes' ports from a base (deploy/local-cluster.sh): base + 1 is otherwise anyone's.
    /// </summary>
    public static int Block(int count)
    {
        lock (Handed)
        {
            while (true)
            {
                var first = Next();
                var block = Enumerable.Range(first, count).ToList();
                if (block[^1] <= IPEndPoint.MaxPort && block.Skip(1).All(port => !Handed.Contains(port) && Free(port)))
                {
                    Handed.UnionWith(block);
                    return first;
                }
            }
        }
    }

    private static bool Free(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
