using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OrbitGrains.WebFrontend.Pipeline;

namespace OrbitGrains.Tests.Pipeline;

/// <summary>
/// Role rules of the access filter, with principals as the user-token handler will produce them (it is being
/// built elsewhere; the admin token is covered over HTTP in PipelineSecurityTests).
/// </summary>
public sealed class PipelineAccessTests
{
    [Fact]
    public async Task A_user_without_the_operator_or_admin_role_is_refused_with_403()
    {
        var (http, result, nextCalled) = await RunAsync(User("victor", "viewer"));
        Assert.False(nextCalled);
        var refusal = Assert.IsAssignableFrom<IStatusCodeHttpResult>(result);
        Assert.Equal(StatusCodes.Status403Forbidden, refusal.StatusCode);
        var body = Assert.IsType<ProblemHttpResult>(result);
        Assert.Contains("operator or admin role", body.ProblemDetails.Detail);
        Assert.False(http.Items.ContainsKey("pipeline.operator"));
    }

    [Fact]
    public async Task An_operator_passes_and_is_recorded_under_their_own_name_whatever_the_body_says()
    {
        var (http, _, nextCalled) = await RunAsync(User("dana", "operator"));
        Assert.True(nextCalled);
        Assert.Equal("dana", PipelineAccess.ActingOperator(http, "someone-else"));
        Assert.Equal("dana", PipelineAccess.ActingOperator(http, null));
    }

    [Fact]
    public async Task An_admin_passes_and_may_name_the_operator_who_acts()
    {
        var (http, _, nextCalled) = await RunAsync(User("root", "admin"));
        Assert.True(nextCalled);
        Assert.Equal("bob", PipelineAccess.ActingOperator(http, "bob"));
        Assert.Equal("root", PipelineAccess.ActingOperator(http, " "));
    }

    private static ClaimsPrincipal User(string name, string role) => new(new ClaimsIdentity(
        [new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role)], "test", ClaimTypes.Name, ClaimTypes.Role));

    private static async Task<(HttpContext Http, object? Result, bool NextCalled)> RunAsync(ClaimsPrincipal principal)
    {
        var services = new ServiceCollection().AddSingleton<IAuthenticationService>(new FixedAuthentication(principal)).BuildServiceProvider();
        var http = new DefaultHttpContext { RequestServices = services };
        http.Request.Headers.Authorization = "Bearer some-user-token";
        var options = new OperatorOptions();
        options.Security.RateLimiting.Enabled = false;
        var filter = new PipelineAccess(options, null!, NullLogger<PipelineAccess>.Instance);
        var nextCalled = false;
        var result = await filter.InvokeAsync(new DefaultEndpointFilterInvocationContext(http), _ =>
        {
            nextCalled = true;
            return ValueTask.FromResult<object?>(Results.Ok());
        });
        return (http, result, nextCalled);
    }

    private sealed class FixedAuthentication(ClaimsPrincipal principal) : IAuthenticationService
    {
        public Task<AuthenticateResult> AuthenticateAsync(HttpContext context, string? scheme) =>
            Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, scheme ?? "test")));

        public Task ChallengeAsync(HttpContext context, string? scheme, AuthenticationProperties? properties) => throw new NotSupportedException();

        public Task ForbidAsync(HttpContext context, string? scheme, AuthenticationProperties? properties) => throw new NotSupportedException();

        public Task SignInAsync(HttpContext context, string? scheme, ClaimsPrincipal principal, AuthenticationProperties? properties) => throw new NotSupportedException();

        public Task SignOutAsync(HttpContext context, string? scheme, AuthenticationProperties? properties) => throw new NotSupportedException();
    }
}
