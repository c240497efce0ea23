namespace OrbitGrains.WebFrontend.Pipeline;

/// <summary>This family's error shape: {"detail": "..."} (its clients read detail).</summary>
public static class PipelineResults
{
    public static IResult Detail(int status, string detail) => Hosting.DetailErrors.Error(status, detail);

    public static IResult TooManyRequests(HttpContext http, string detail, int retryAfterSeconds)
    {
        http.Response.Headers.RetryAfter = Math.Max(1, retryAfterSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Detail(StatusCodes.Status429TooManyRequests, detail);
    }

    public static IResult FromOutcome(OrbitGrains.Pipeline.PipelineOutcome outcome) =>
        outcome.Ok ? Results.Json(new MessageBody(outcome.Detail), statusCode: outcome.Status) : Detail(outcome.Status, outcome.Detail);

    public sealed record MessageBody(string Message);
}
