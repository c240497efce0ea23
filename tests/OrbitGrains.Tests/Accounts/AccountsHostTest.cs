using Microsoft.Extensions.DependencyInjection;
using OrbitGrains.Hosting;

namespace OrbitGrains.Tests.Accounts;

/// <summary>
/// One real front end for a whole test class (a class fixture), on its own data folder, with a clock the tests can
/// move forward. Tests of a class run one after another, so a clock moved by one test only ever moves forward for the next.
/// </summary>
public class AccountsHost : IAsyncLifetime
{
    /// <summary>The admin token of every Accounts host: it grants roles through the admin API.</summary>
    public const string AdminToken = "accounts-test-admin-token-0123456789abcdef";

    private readonly TempDirectory _data = new("orbit-accounts");

    public RunningHost Host { get; private set; } = null!;
    public AccountsApi Api { get; private set; } = null!;
    public TestClock Clock { get; } = new();

    /// <summary>Settings a test class needs on top of an isolated host.</summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>();

    /// <summary>Services a test class adds to the host (e.g. a grain call filter), after the test clock.</summary>
    protected virtual void AddServices(IServiceCollection services)
    {
    }

    public async Task InitializeAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            var configuration = RunningHost.IsolatedConfiguration(_data.Path, $"accounts-{Guid.NewGuid():N}");
            configuration["ADMIN_TOKEN"] = AdminToken;
            foreach (var (key, value) in Settings)
            {
                configuration[key] = value;
            }

            try
            {
                Host = await RunningHost.StartFrontEndAsync(configuration, configure: builder =>
                {
                    builder.Services.AddSingleton<TimeProvider>(Clock);
                    AddServices(builder.Services);
                });
                break;
            }
            catch (Exception ex) when (attempt < 3 && OrbitHostRunner.Describe(ex)?.Contains("port is already in use") == true)
            {
                // A port handed out as free was taken by another host of this parallel run before our silo bound it.
            }
        }

        Api = new AccountsApi(Host.Http);
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        _data.Dispose();
    }
}

/// <summary>Base of the Accounts HTTP test classes: the shared host of the class, by short names.</summary>
public abstract class AccountsHostTest<THost>(THost host) : IClassFixture<THost>
    where THost : AccountsHost
{
    /// <summary>The class fixture itself, for what a test class's own host adds (e.g. a call gate).</summary>
    protected THost Fixture => host;
    protected RunningHost Host => host.Host;
    protected AccountsApi Api => host.Api;
    protected TestClock Clock => host.Clock;
}
