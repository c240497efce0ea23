using Microsoft.AspNetCore.Http;
using OrbitGrains.Accounts;
using OrbitGrains.WebFrontend.Hosting.Access;
using OrbitGrains.WebFrontend.Pipeline;

namespace OrbitGrains.Tests.Pipeline;

/// <summary>
/// Who is recorded as acting, with principals as the authentication layer produces them (the role refusals are the
/// layer's and are covered over HTTP in PipelineSecurityTests, PipelineAccountsTests and the access matrix).
/// </summary>
public sealed class PipelineAccessTests
{
    [Fact]
    public void An_operator_is_recorded_under_their_own_name_whatever_the_body_says()
    {
        var http = With(User("dana", AccountRoles.Operator));
        Assert.Equal("dana", PipelineAccess.ActingOperator(http, "someone-else"));
        Assert.Equal("dana", PipelineAccess.ActingOperator(http, null));
    }

    [Fact]
    public void An_admin_may_name_the_operator_who_acts()
    {
        var http = With(User("root", AccountRoles.Admin));
        Assert.Equal("bob", PipelineAccess.ActingOperator(http, "bob"));
        Assert.Equal("root", PipelineAccess.ActingOperator(http, " "));
        // The admin token names nobody: the body may, else it is recorded as "admin".
        var token = With(OrbitPrincipals.ForAdmin(OrbitAuthSchemes.AdminToken));
        Assert.Equal("carol", PipelineAccess.ActingOperator(token, "carol"));
        Assert.Equal("admin", PipelineAccess.ActingOperator(token, null));
    }

    private static System.Security.Claims.ClaimsPrincipal User(string name, string role) => OrbitPrincipals.ForUser(
        new UserRecord(Guid.NewGuid().ToString("N"), name, name, null, [role], DateTimeOffset.UnixEpoch, false), OrbitAuthSchemes.WebSession);

    private static HttpContext With(System.Security.Claims.ClaimsPrincipal principal) => new DefaultHttpContext { User = principal };
}
