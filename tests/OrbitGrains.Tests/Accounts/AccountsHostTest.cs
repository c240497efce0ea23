using Microsoft.Extensions.DependencyInjection;

namespace OrbitGrains.Tests.Accounts;

/// <summary>One real front end per test class, on its own data folder, with a clock the tests can move forward.</summary>
public abstract class AccountsHostTest : IAsyncLifetime
{
    private readonly TempDirectory _data = new("orbit-accounts");

    protected RunningHost Host { get; private set; } = null!;
    protected AccountsApi Api { get; private set; } = null!;
    protected TestClock Clock { get; } = new();

    /// <summary>Settings this class needs on top of an isolated host.</summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>();

    public async Task InitializeAsync()
    {
        var configuration = RunningHost.IsolatedConfiguration(_data.Path, $"accounts-{Guid.NewGuid():N}");
        foreach (var (key, value) in Settings)
        {
            configuration[key] = value;
        }

        Host = await RunningHost.StartFrontEndAsync(configuration, configure: builder => builder.Services.AddSingleton<TimeProvider>(Clock));
        Api = new AccountsApi(Host.Http);
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        _data.Dispose();
    }
}
