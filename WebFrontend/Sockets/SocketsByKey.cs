using System.Collections.Concurrent;

namespace OrbitGrains.WebFrontend.Sockets;

/// <summary>
/// Each key's open sockets (a user's, an account's) as an array that is replaced, never changed, so readers enumerate it
/// without a lock. A key has a few sockets, and tens of thousands of keys may be present: an array costs tens of bytes
/// where a concurrent dictionary per key cost hundreds. Writers serialise on a lock of their own and call these under it.
/// </summary>
public static class SocketsByKey
{
    /// <summary>Adds <paramref name="socket"/> to <paramref name="key"/>'s sockets; true when it is the key's first.</summary>
    public static bool AddSocket<TSocket>(this ConcurrentDictionary<string, TSocket[]> byKey, string key, TSocket socket)
        where TSocket : class
    {
        if (byKey.TryGetValue(key, out var sockets))
        {
            byKey[key] = [.. sockets, socket];
            return false;
        }

        byKey[key] = [socket];
        return true;
    }

    /// <summary>
    /// Removes <paramref name="socket"/> from <paramref name="key"/>'s sockets, and the key with its last one; true when
    /// that was the last. False, and nothing changed, when the socket was not there.
    /// </summary>
    public static bool RemoveSocket<TSocket>(this ConcurrentDictionary<string, TSocket[]> byKey, string key, TSocket socket)
        where TSocket : class
    {
        if (!byKey.TryGetValue(key, out var sockets) || Array.IndexOf(sockets, socket) < 0)
        {
            return false;
        }

        if (sockets.Length > 1)
        {
            byKey[key] = [.. sockets.Where(s => s != socket)];
            return false;
        }

        byKey.TryRemove(key, out _);
        return true;
    }

    /// <summary><paramref name="key"/>'s sockets now; empty when it has none.</summary>
    public static TSocket[] SocketsOf<TSocket>(this ConcurrentDictionary<string, TSocket[]> byKey, string key) =>
        byKey.TryGetValue(key, out var sockets) ? sockets : [];
}
