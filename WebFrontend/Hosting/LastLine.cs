using Microsoft.AspNetCore.Diagnostics;

namespace OrbitGrains.WebFrontend.Hosting;

/// <summary>
/// What happens to an exception that escapes a request handler: an RFC 9457 ProblemDetails 500 with a <c>traceId</c>
/// (and <c>detail</c> and <c>error</c>, so clients of every family find their message), logged once by the exception
/// handler, with the trace id and without the request body. A request the server itself refused to read (a body over
/// Kestrel's limit, a malformed form) keeps its 4xx and is not logged as the product's error. A grain call refused
/// because its silo was lost, or failed because its storage write did (<see cref="ClusterUnavailable"/>), is 503 with
/// <c>Retry-After</c>. Input never gets here:
/// bodies and frames are read by <see cref="Bodies.RequestBodies"/> and <see cref="Sockets.Frames"/>, and the fuzz
/// test checks that no input does.
/// </summary>
public static class LastLine
{
    public const string Message = "An unexpected error occurred. It has been logged with this traceId.";

    public static IServiceCollection AddLastLine(this IServiceCollection services)
    {
        services.AddExceptionHandler(options =>
        {
            options.StatusCodeSelector = exception => exception switch
            {
                BadHttpRequestException bad => bad.StatusCode,
                _ when ClusterUnavailable.Is(exception) => StatusCodes.Status503ServiceUnavailable,
                _ => StatusCodes.Status500InternalServerError,
            };
            options.SuppressDiagnosticsCallback = context => context.Exception is BadHttpRequestException;
        });
        return services;
    }

    /// <summary>Words the ProblemDetails of a handled exception; other ProblemDetails are left as their family wrote them.</summary>
    public static void Describe(ProblemDetailsContext context)
    {
        if (context.Exception is null)
        {
            return;
        }

        var unavailable = ClusterUnavailable.Is(context.Exception);
        if (unavailable)
        {
            context.HttpContext.Response.Headers.RetryAfter = ClusterUnavailable.RetryAfterSeconds.ToString();
        }

        var detail = context.Exception is BadHttpRequestException bad ? bad.Message : unavailable ? ClusterUnavailable.Message : Message;
        context.ProblemDetails.Detail = detail;
        context.ProblemDetails.Extensions["error"] = detail;
    }
}
