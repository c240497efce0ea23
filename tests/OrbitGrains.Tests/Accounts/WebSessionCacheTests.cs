using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OrbitGrains.Accounts;
using OrbitGrains.Hosting;
using Orleans.Core.Internal;

namespace OrbitGrains.Tests.Accounts;

public sealed class WebSessionCacheHost : AccountsHost;

/// <summary>
/// A front end answers a web token from memory once its session was found live (WebSessionCache). Each test first uses
/// the token, so the session is cached, then changes the sign-in or the account, and expects the very next request to
/// see the change: the cache must never be why a revoked token still works.
/// </summary>
public sealed class WebSessionCacheTests(WebSessionCacheHost host) : AccountsHostTest<WebSessionCacheHost>(host)
{
    private AdminApi Admin => new(Api.Http, AccountsHost.AdminToken);

    [Fact]
    public async Task A_cached_session_replaced_by_a_refresh_is_refused_at_once()
    {
        var session = await Api.RegisterAsync(AccountsApi.NewName());
        Assert.True(await Api.IsSignedInAsync(session.Token));
        Assert.True(await Api.IsSignedInAsync(session.Token));

        var refreshed = await AccountsApi.ExpectJsonAsync(await Api.RefreshAsync(session.RefreshToken), HttpStatusCode.OK);

        Assert.False(await Api.IsSignedInAsync(session.Token));
        Assert.True(await Api.IsSignedInAsync((string)refreshed["token"]!));
    }

    [Fact]
    public async Task A_role_granted_and_taken_back_applies_to_the_next_request()
    {
        var session = await Api.RegisterAsync(AccountsApi.NewName());
        Assert.Equal(HttpStatusCode.Forbidden, await Admin.AdminStatusAsync(session.Token));

        await Admin.SetRolesAsync(session.UserId, "admin");
        Assert.Equal(HttpStatusCode.OK, await Admin.AdminStatusAsync(session.Token));

        await Admin.SetRolesAsync(session.UserId);
        Assert.Equal(HttpStatusCode.Forbidden, await Admin.AdminStatusAsync(session.Token));
    }

    [Fact]
    public async Task A_token_checked_before_is_still_refused_once_expired_and_a_forged_copy_is_never_taken_for_it()
    {
        var session = await Api.RegisterAsync(AccountsApi.NewName());
        Assert.True(await Api.IsSignedInAsync(session.Token));

        // Same header and claims, another signature: a different token, checked on its own.
        var dot = session.Token.LastIndexOf('.');
        var signature = session.Token[(dot + 1)..];
        var forged = session.Token[..(dot + 1)] + (signature[0] == 'A' ? 'B' : 'A') + signature[1..];
        Assert.False(await Api.IsSignedInAsync(forged));
        Assert.True(await Api.IsSignedInAsync(session.Token));

        // Past the access token's lifetime (ACCESS_TTL_SEC, 3600 by default) its remembered claims do not keep it alive.
        Clock.Advance(TimeSpan.FromSeconds(3601));
        Assert.False(await Api.IsSignedInAsync(session.Token));
    }

    [Fact]
    public async Task A_disabled_account_is_refused_on_the_next_request()
    {
        var session = await Api.RegisterAsync(AccountsApi.NewName());
        Assert.True(await Api.IsSignedInAsync(session.Token));

        await Admin.DisableAsync(session.UserId);

        Assert.False(await Api.IsSignedInAsync(session.Token));
    }

    [Fact]
    public async Task Every_request_that_starts_after_a_logout_answered_is_refused_while_others_race_with_it()
    {
        var session = await Api.RegisterAsync(AccountsApi.NewName());
        Assert.True(await Api.IsSignedInAsync(session.Token));

        var clock = Stopwatch.StartNew();
        var loggedOutAt = long.MaxValue;
        using var stop = new CancellationTokenSource();
        var results = new System.Collections.Concurrent.ConcurrentBag<(long StartedAt, bool SignedIn)>();
        var racers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var startedAt = clock.ElapsedTicks;
                results.Add((startedAt, await Api.IsSignedInAsync(session.Token)));
            }
        })).ToArray();

        await Eventually.TrueAsync(() => results.Count(r => r.SignedIn) >= 20, "requests are answered from the cache");
        await Api.LogoutAsync(session.Token);
        Interlocked.Exchange(ref loggedOutAt, clock.ElapsedTicks);
        var countAtLogout = results.Count;
        await Eventually.TrueAsync(() => results.Count >= countAtLogout + 40, "requests go on after the logout");
        stop.Cancel();
        await Task.WhenAll(racers);

        var after = results.Where(r => r.StartedAt > loggedOutAt).ToArray();
        Assert.NotEmpty(after);
        Assert.All(after, r => Assert.False(r.SignedIn));
    }

    [Fact]
    public async Task A_logout_after_the_account_grain_went_away_still_ends_the_cached_session()
    {
        var session = await Api.RegisterAsync(AccountsApi.NewName());
        Assert.True(await Api.IsSignedInAsync(session.Token));

        // The account's activation forgets its watchers when it goes (idle collection, a rolling restart); the next
        // one must still reach this front end's cache when the sign-in ends.
        var grains = Host.Services.GetRequiredService<IGrainFactory>();
        await grains.GetGrain<IUserGrain>(session.UserId).AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        var management = grains.GetGrain<IManagementGrain>(0);
        await Eventually.TrueAsync(async () => !(await management.GetActiveGrains(GrainType.Create("user")))
            .Any(id => id.Key.ToString() == session.UserId),
            "the account's grain is gone");

        await Api.LogoutAsync(session.Token);

        Assert.False(await Api.IsSignedInAsync(session.Token));
    }
}

/// <summary>Two front ends on one PostgreSQL: a sign-in ended through one is refused at once by the other's cache.</summary>
[Collection(PostgresCollection.Name)]
public sealed class WebSessionCacheClusterTests(PostgresServer server)
{
    [Fact]
    public async Task A_logout_through_one_front_end_is_refused_at_once_by_the_other_that_cached_the_session()
    {
        using var dataA = new TempDirectory();
        using var dataB = new TempDirectory();
        var database = await server.CreateDatabaseAsync("sessioncache");
        var serviceId = $"session-cache-{Guid.NewGuid():N}";
        Dictionary<string, string?> Node(string dataDir)
        {
            var configuration = RunningHost.IsolatedConfiguration(dataDir, serviceId);
            configuration["ORLEANS_CLUSTERING"] = "postgres";
            configuration["ConnectionStrings:Postgres"] = database;
            configuration["ADMIN_TOKEN"] = ProductCluster.AdminToken;
            configuration["CODEX_REMOTE_WEB_JWT_SECRET"] = ProductCluster.JwtSecret;
            return configuration;
        }

        await using var a = await RunningHost.StartFrontEndAsync(Node(dataA.Path));
        await using var b = await RunningHost.StartFrontEndAsync(Node(dataB.Path));
        await Eventually.TrueAsync(() => a.Services.GetRequiredService<SiloReadiness>().ActiveSilos == 2
            && b.Services.GetRequiredService<SiloReadiness>().ActiveSilos == 2, "both silos see a two-member cluster", TimeSpan.FromSeconds(90));

        var apiA = new AccountsApi(a.Http);
        var apiB = new AccountsApi(b.Http);
        var session = await apiB.RegisterAsync(AccountsApi.NewName());
        Assert.True(await apiA.IsSignedInAsync(session.Token));
        Assert.True(await apiA.IsSignedInAsync(session.Token));

        await apiB.LogoutAsync(session.Token);

        Assert.False(await apiA.IsSignedInAsync(session.Token));
    }
}
