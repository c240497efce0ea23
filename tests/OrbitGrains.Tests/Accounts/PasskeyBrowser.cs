namespace OrbitGrains.Tests.Accounts;

/// <summary>
/// A passkey host whose relying party is http://localhost:PORT, the one origin where WebAuthn allows plain HTTP and
/// whose host is a domain (an IP address cannot be an RP id).
/// </summary>
public sealed class LocalhostPasskeyHost : AccountsHost
{
    public int Port { get; private set; }

    public Uri Origin => new($"http://localhost:{Port}");

    /// <summary>The same server by IP address: a different origin, not allowed.</summary>
    public Uri OtherOrigin => new($"http://127.0.0.1:{Port}");

    // Read once per start attempt, so a retried start gets a fresh port and an origin to match.
    protected override IReadOnlyDictionary<string, string?> Settings
    {
        get
        {
            Port = FreePorts.Next();
            return new Dictionary<string, string?>
            {
                ["urls"] = $"http://127.0.0.1:{Port}",
                ["AUTH_MODE"] = "passkey",
                ["PASSKEY_ORIGIN"] = $"http://localhost:{Port}",
            };
        }
    }
}

/// <summary>One product host and one headless Chromium (Playwright) for a whole test class; each test opens its own page.</summary>
public sealed class PasskeyBrowser : IAsyncLifetime
{
    private Chromium? _chromium;
    private bool _productStarted;

    public LocalhostPasskeyHost Product { get; } = new();

    public Chromium Chromium => _chromium ?? throw new InvalidOperationException("The browser did not start.");

    public async Task InitializeAsync()
    {
        var product = Product.InitializeAsync();
        var chromium = Chromium.StartAsync();
        try
        {
            try
            {
                await Task.WhenAll(product, chromium);
            }
            finally
            {
                _productStarted = product.IsCompletedSuccessfully;
                _chromium = chromium.IsCompletedSuccessfully ? chromium.Result : null;
            }
        }
        catch
        {
            // Whichever half did start is released now: a fixture that failed to start may never be disposed.
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (_chromium is not null)
        {
            await _chromium.DisposeAsync();
            _chromium = null;
        }

        if (_productStarted)
        {
            _productStarted = false;
            await Product.DisposeAsync();
        }
    }
}
