namespace OrbitGrains.WebFrontend.Accounts;

/// <summary>Errors of this family: ProblemDetails that also carry `error`, the member the Orbit web client reads.</summary>
public static class AccountErrors
{
    public static IResult Error(int status, string message) => Hosting.Errors.Of(Hosting.ErrorShape.Orbit, status, message);

    public static IResult BadRequest(string message) => Error(StatusCodes.Status400BadRequest, message);

    public static IResult Unauthorised(string message = "Unauthorised") => Error(StatusCodes.Status401Unauthorized, message);
}
