namespace OrbitGrains.WebFrontend.Rooms;

/// <summary>The signaling family's error body: its clients read `detail` (FastAPI's shape), which also keeps it a ProblemDetails.</summary>
public static class RoomErrors
{
    public static IResult Detail(int status, string detail) => Hosting.DetailErrors.Error(status, detail);

    public static IResult Unauthorized(string detail = "A valid bearer token is required.") => Detail(StatusCodes.Status401Unauthorized, detail);

    public static IResult BadRequest(string detail) => Detail(StatusCodes.Status400BadRequest, detail);
}
