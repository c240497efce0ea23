using System.Net;
using System.Net.Sockets;

namespace OrbitGrains.Tests.Infrastructure;

/// <summary>
/// Loopback ports nobody listens on right now, for silos and servers started by tests. They come from below the
/// kernel's ephemeral range: a port from that range can become the source port of any outgoing connection (a test's
/// HTTP client, a silo's PostgreSQL pool) between the check here and the moment a slow-starting process binds it.
/// </summary>
public static class FreePorts
{
    private static readonly HashSet<int> Handed = [];
    private const int Lowest = 10_000;
    private static readonly int Highest = EphemeralRangeStart() - 1;
    private static int cursor = Lowest + Random.Shared.Next(Highest - Lowest);

    public static int Next() => Block(1);

    /// <summary>
    /// The first of <paramref name="count"/> consecutive loopback ports that are all free now and were never handed out,
    /// for a script that numbers its nodes' ports from a base (deploy/local-cluster.sh): base + 1 is otherwise anyone's.
    /// </summary>
    public static int Block(int count)
    {
        lock (Handed)
        {
            for (var tried = 0; tried < Highest - Lowest; tried++)
            {
                var first = cursor;
                cursor = cursor + count > Highest ? Lowest : cursor + count;
                if (first + count - 1 > Highest)
                {
                    continue;
                }

                var block = Enumerable.Range(first, count).ToList();
                // Never hand the same port twice in one run, even after its first user released it.
                if (block.All(port => !Handed.Contains(port) && Free(port)))
                {
                    Handed.UnionWith(block);
                    return first;
                }
            }

            throw new InvalidOperationException($"No {count} free consecutive loopback ports between {Lowest} and {Highest}.");
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

    /// <summary>The low end of Linux's ip_local_port_range (32768 by default), or the IANA dynamic range's 49152 elsewhere.</summary>
    private static int EphemeralRangeStart()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return Math.Max(Lowest + 1_000, int.Parse(range[0]));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 49_152;
        }
    }
}
