namespace OrbitGrains.WebFrontend.Relay;

/// <summary>Turns the `?token=` of a relay socket into the user it belongs to, or null when it is not valid.</summary>
public interface IRelayAuthenticator
{
    /// <summary>A web session token (JWT with a live session).</summary>
    ValueTask<string?> AuthenticateClientAsync(string token, CancellationToken cancellationToken);

    /// <summary>An anchor access token from the device flow.</summary>
    ValueTask<string?> AuthenticateAnchorAsync(string token, CancellationToken cancellationToken);
}
