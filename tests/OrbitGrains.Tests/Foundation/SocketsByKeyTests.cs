using System.Collections.Concurrent;
using OrbitGrains.WebFrontend.Sockets;

namespace OrbitGrains.Tests.Foundation;

/// <summary>The per-key socket arrays the relay hub and the account watch share: first and last are told, a stranger changes nothing.</summary>
public sealed class SocketsByKeyTests
{
    [Fact]
    public void The_first_socket_and_the_last_are_told_and_the_key_goes_with_its_last()
    {
        var byKey = new ConcurrentDictionary<string, object[]>(StringComparer.Ordinal);
        object a = new(), b = new(), stranger = new();

        Assert.True(byKey.AddSocket("u", a));
        Assert.False(byKey.AddSocket("u", b));
        var before = byKey.SocketsOf("u");
        Assert.Equal([a, b], before);

        Assert.False(byKey.RemoveSocket("u", stranger));
        Assert.False(byKey.RemoveSocket("other", a));
        Assert.Same(before, byKey.SocketsOf("u"));

        Assert.False(byKey.RemoveSocket("u", a));
        Assert.Equal([b], byKey.SocketsOf("u"));
        // A reader's array is never changed under it.
        Assert.Equal([a, b], before);

        Assert.True(byKey.RemoveSocket("u", b));
        Assert.False(byKey.ContainsKey("u"));
        Assert.Empty(byKey.SocketsOf("u"));
    }
}
