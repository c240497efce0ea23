using Microsoft.AspNetCore.Http.Features;

namespace OrbitGrains.WebFrontend.Sockets;

/// <summary>
/// Keeps hold of the connection under a WebSocket, so that a socket the WebSocket failed on a protocol error can end
/// the way RFC 6455 §7.1.1 asks: .NET's WebSocket sends its Close (1007 for a text frame that is not UTF-8, 1002 for a
/// broken frame) and stops reading at once. Ending the request then would close the connection with the peer's next
/// frames unread, and the operating system answers those with a TCP reset, which can destroy the Close before the
/// peer reads it. Instead the handler reads and drops whatever still arrives until the peer closes, for a few seconds.
/// </summary>
public sealed class LingeringUpgrade(IHttpUpgradeFeature inner) : IHttpUpgradeFeature
{
    private static readonly TimeSpan MaxLinger = TimeSpan.FromSeconds(5);

    private Stream? _stream;

    public bool IsUpgradableRequest => inner.IsUpgradableRequest;

    public async Task<Stream> UpgradeAsync() => _stream = await inner.UpgradeAsync();

    /// <summary>Wraps every request's upgrade; must run before UseWebSockets, which takes the feature as it finds it.</summary>
    public static IApplicationBuilder UseLingeringUpgrades(IApplicationBuilder app) => app.Use(next => context =>
    {
        if (context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } upgrade)
        {
            context.Features.Set<IHttpUpgradeFeature>(new LingeringUpgrade(upgrade));
        }

        return next(context);
    });

    /// <summary>After a socket ended in a protocol error: drops what the peer still sends until it closes (or a few seconds pass).</summary>
    public static async Task DrainAsync(HttpContext context)
    {
        if (context.Features.Get<IHttpUpgradeFeature>() is not LingeringUpgrade { _stream: { } stream })
        {
            return;
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        deadline.CancelAfter(MaxLinger);
        var buffer = new byte[4096];
        try
        {
            while (await stream.ReadAsync(buffer, deadline.Token) > 0)
            {
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // Gone, or too slow to say goodbye: the connection ends either way.
        }
    }
}
