namespace OrbitGrains.WebFrontend.Hosting;

/// <summary>Errors of the families whose clients read `detail` (cloud, agents, operator, signaling): ProblemDetails.</summary>
public static class DetailErrors
{
    public static IResult Error(int status, string detail) => Errors.Of(ErrorShape.Detail, status, detail);

    /// <summary>A bearer that did not authenticate: 401 with the challenge the clients expect.</summary>
    public static IResult Unauthorized(HttpContext context, string detail)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return Error(StatusCodes.Status401Unauthorized, detail);
    }
}
