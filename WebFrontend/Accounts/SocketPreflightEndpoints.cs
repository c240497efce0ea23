namespace OrbitGrains.WebFrontend.Accounts;

/// <summary>
/// A plain GET of a socket route tells a client, before it upgrades, whether its token would be accepted. The Anchor
/// relies on it at start-up: 426 means "go ahead", 401 means "refresh or sign in again"; any other 4xx makes it exit.
/// The Relay family answers the upgrade itself on the same routes.
/// </summary>
public static class SocketPreflightEndpoints
{
    public const string ClientPath = "/ws/client";
    public const string AnchorPath = "/ws/anchor";

    public static IEndpointRouteBuilder MapSocketPreflights(this IEndpointRouteBuilder app)
    {
        var sockets = app.MapGroup("").WithTags("Accounts");
        sockets.MapGet(ClientPath, async (HttpRequest request, WebTokenService tokens) =>
                Answer(await tokens.ValidateRequestAsync(request) is not null))
            .WithSummary("Preflight of the web client socket: 426 with a live web access token, else 401");
        sockets.MapGet(AnchorPath, async (HttpRequest request, AnchorTokenService anchors) =>
                Answer(await anchors.ValidateAccessAsync(RequestToken.Read(request)) is not null))
            .WithSummary("Preflight of the Anchor socket: 426 with a live anchor access token, else 401");
        return app;
    }

    public static IResult Answer(bool accepted) => accepted
        ? Results.Text("Upgrade required", "text/plain", statusCode: StatusCodes.Status426UpgradeRequired)
        : Results.Text("Unauthorised", "text/plain", statusCode: StatusCodes.Status401Unauthorized);
}
