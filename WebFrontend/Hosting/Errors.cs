namespace OrbitGrains.WebFrontend.Hosting;

/// <summary>The two error bodies the families' clients read (spec/README.md): both RFC 9457 ProblemDetails.</summary>
public enum ErrorShape
{
    /// <summary>Orbit (/auth, the relay): the message in <c>error</c>, which the Orbit web client and Anchor read, and in <c>detail</c>.</summary>
    Orbit,

    /// <summary>Cloud, agents, operator console and signaling: the message in <c>detail</c> (FastAPI's shape).</summary>
    Detail,
}

/// <summary>The one place that writes an error response; every family's helper and the edge layers go through it.</summary>
public static class Errors
{
    public static IResult Of(ErrorShape shape, int status, string message) => shape == ErrorShape.Orbit
        ? Results.Problem(statusCode: status, detail: message, extensions: new Dictionary<string, object?> { ["error"] = message })
        : Results.Problem(statusCode: status, detail: message);
}
