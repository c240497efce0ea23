namespace OrbitGrains.Tests.Infrastructure;

/// <summary>Sockets of the legacy global room (`/ws` without a session), which sends nothing of its own.</summary>
public static class LegacyRoom
{
    /// <summary>
    /// Connects and returns once the socket is in the room. The room announces nothing (no `joined`), so the proof is
    /// the error frame for a malformed offer: it is answered only after the socket's join has completed.
    /// </summary>
    public static async Task<OrbitSocket> ConnectAsync(Uri baseAddress, string path, System.Net.Security.RemoteCertificateValidationCallback? validateCertificate = null)
    {
        var socket = await OrbitSocket.ConnectAsync(baseAddress, path, validateCertificate);
        await socket.SendTextAsync("""{"type":"offer"}""");
        await socket.NextAsync(f => (string?)f["type"] == "error" && (string?)f["code"] == "invalid_message");
        return socket;
    }
}
