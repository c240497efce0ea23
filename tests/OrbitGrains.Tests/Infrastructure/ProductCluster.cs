namespace OrbitGrains.Tests.Infrastructure;

/// <summary>
/// Nodes of one PostgreSQL cluster as real processes on loopback, each with its own free ports and data folder and the
/// secrets every node must share. Disposing stops whatever still runs and removes the data folders.
/// </summary>
public sealed class ProductCluster(string connectionString, string clusterId) : IAsyncDisposable
{
    public const string AdminToken = "process-cluster-admin-token-0123456789abcdef";
    public const string JwtSecret = "process-cluster-jwt-secret-0123456789abcdefgh";
    public const string EncryptionKey = "process-cluster-encryption-key-0123456789abcd";

    private readonly List<ProductNode> _nodes = [];
    private readonly List<TempDirectory> _folders = [];

    public IReadOnlyList<ProductNode> Nodes => _nodes;

    /// <summary>A front end (WebFrontend) with HTTP on a free loopback port.</summary>
    public ProductNode AddFrontEnd(string name, IDictionary<string, string>? extra = null, string? dll = null)
    {
        var port = FreePorts.Next();
        var environment = Common(name, extra);
        environment["HOST"] = "127.0.0.1";
        environment["PORT"] = port.ToString();
        return Add(new ProductNode(name, dll ?? ProductProcess.Assembly("OrbitGrains.WebFrontend"), environment, new Uri($"http://127.0.0.1:{port}")));
    }

    /// <summary>A headless silo (Silo) with its health port on a free loopback port.</summary>
    public ProductNode AddHeadless(string name, IDictionary<string, string>? extra = null, string? dll = null)
    {
        var port = FreePorts.Next();
        var environment = Common(name, extra);
        environment["HEALTH_HOST"] = "127.0.0.1";
        environment["HEALTH_PORT"] = port.ToString();
        return Add(new ProductNode(name, dll ?? ProductProcess.Assembly("OrbitGrains.Silo"), environment, new Uri($"http://127.0.0.1:{port}")));
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_nodes.Select(node => node.DisposeAsync().AsTask()));
        foreach (var folder in _folders)
        {
            folder.Dispose();
        }
    }

    private Dictionary<string, string> Common(string name, IDictionary<string, string>? extra)
    {
        var data = new TempDirectory($"node-{name}");
        _folders.Add(data);
        var environment = new Dictionary<string, string>
        {
            ["ORLEANS_CLUSTERING"] = "postgres",
            ["ConnectionStrings__Postgres"] = connectionString,
            ["ORLEANS_CLUSTER_ID"] = clusterId,
            ["ORLEANS_SERVICE_ID"] = clusterId,
            ["ORLEANS_SILO_NAME"] = name,
            ["ORLEANS_ADVERTISED_IP"] = "127.0.0.1",
            ["ORLEANS_SILO_PORT"] = FreePorts.Next().ToString(),
            ["ORLEANS_GATEWAY_PORT"] = FreePorts.Next().ToString(),
            ["DATA_DIR"] = data.Path,
            ["ADMIN_TOKEN"] = AdminToken,
            ["CODEX_REMOTE_WEB_JWT_SECRET"] = JwtSecret,
            ["ENCRYPTION_KEY"] = EncryptionKey,
            // Two cores shared by several nodes: optimise hot code within a second, as the product's launches do.
            ["DOTNET_TC_DelaySingleProcMultiplier"] = "1",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        return environment;
    }

    private ProductNode Add(ProductNode node)
    {
        _nodes.Add(node);
        return node;
    }
}
