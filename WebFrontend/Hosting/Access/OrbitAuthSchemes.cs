namespace OrbitGrains.WebFrontend.Hosting.Access;

/// <summary>
/// The authentication schemes: one per credential kind, each with its own handler, plus <see cref="Default"/>, which
/// picks the one kind a request's credential has (<see cref="CredentialSelector"/>) so it is validated once.
/// </summary>
public static class OrbitAuthSchemes
{
    /// <summary>Selects the handler by the credential's shape; every policy but the kind-specific ones uses it.</summary>
    public const string Default = "orbit";

    /// <summary>A web session access token: HS256 JWT (audience codex-remote-web) of a live session (spec: orbit.md).</summary>
    public const string WebSession = "web-session";

    /// <summary>An opaque bearer user token (spec: jarvis.md).</summary>
    public const string UserToken = "user-token";

    /// <summary>An Anchor's opaque access token from the device flow; accepted only where a route names it.</summary>
    public const string AnchorToken = "anchor-token";

    /// <summary>A signaling room token from /api/login: HS256 JWT with the rooms audience (spec: signaling.md).</summary>
    public const string RoomToken = "room-token";

    /// <summary>An AUTH_TOKENS entry: the signaling original's static tokens (robots and their operators).</summary>
    public const string StaticToken = "static-token";

    /// <summary>The ADMIN_TOKEN bearer.</summary>
    public const string AdminToken = "admin-token";

    /// <summary>A browser session of an admin who signed in at /admin/login with the admin token.</summary>
    public const string AdminCookie = "admin-cookie";

    /// <summary>`X-Agent-Token`: an agent's opaque token (spec: jarvis.md, Agent runtime); accepted only by the runtime routes.</summary>
    public const string AgentToken = "agent-token";

    /// <summary>`?ticket=` on `GET /v1/stream`: a short-lived, single-use ticket for a person's live feed (<see cref="UserStreamTickets"/>).</summary>
    public const string UserStreamTicket = "user-stream-ticket";

    /// <summary>`X-Control-Plane-Token`: CONTROL_PLANE_TOKEN, for trusted machine-to-machine calls (spec: jarvis.md).</summary>
    public const string ControlPlane = "control-plane";
}
