using OrbitGrains.WebFrontend.Hosting.Access;

namespace OrbitGrains.WebFrontend.Admin;

public static class AdminApiEndpoints
{
    /// <summary>The accounts part of `/api/admin`: users, roles, disabling, invites. Admin only, ProblemDetails errors.</summary>
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin").RequireAuthorization(OrbitPolicies.Admin).WithRefusals(RefusalStyle.Problem);
        admin.MapAdminUsers();
        admin.MapAdminInvites();
        return app;
    }
}
