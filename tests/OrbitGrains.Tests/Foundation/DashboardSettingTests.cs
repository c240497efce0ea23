using System.Net;
using System.Net.Http.Headers;

namespace OrbitGrains.Tests.Foundation;

/// <summary>ORLEANS_DASHBOARD=false: no dashboard on the silo and nothing at its path, for the admin too; the rest stands.</summary>
public sealed class DashboardSettingTests
{
    [Fact]
    public async Task A_front_end_without_the_dashboard_answers_404_there_even_to_the_admin()
    {
        const string adminToken = "dashboard-off-test-admin-token-0123456789abcdef";
        using var data = new TempDirectory();
        var configuration = RunningHost.IsolatedConfiguration(data.Path, "nodash");
        configuration["ADMIN_TOKEN"] = adminToken;
        configuration["ORLEANS_DASHBOARD"] = "false";
        await using var host = await RunningHost.StartFrontEndAsync(configuration);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/dashboard/");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        var dashboard = await host.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotFound, dashboard.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync("/readyz")).StatusCode);
    }
}
