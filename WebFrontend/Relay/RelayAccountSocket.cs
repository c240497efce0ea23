using System.Net.WebSockets;
using OrbitGrains.Accounts;
using OrbitGrains.Relay;
using OrbitGrains.WebFrontend.Hosting.Access;

namespace OrbitGrains.WebFrontend.Relay;

/// <summary>A relay socket as its account sees it: a disabled account or an ended sign-in closes it with 4401 at once.</summary>
public sealed class RelayAccountSocket(RelaySocket socket, string? familyId) : IAccountSocket
{
    public string? FamilyId { get; } = familyId;

    public void OnAccountChanged(UserRecord user)
    {
        if (user.Disabled)
        {
            socket.Close((WebSocketCloseStatus)RelayCloseCodes.Unauthorised, "Account disabled");
        }
    }

    public void OnSignInEnded() => socket.Close((WebSocketCloseStatus)RelayCloseCodes.Unauthorised, "Session ended");
}
