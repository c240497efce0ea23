using OrbitGrains.Tests.Cloud;

namespace OrbitGrains.Tests.WebClient;

/// <summary>
/// The web client's product with the Cloud family on: LOCAL_DEV_MODE (simulated instances at once), an ENCRYPTION_KEY
/// for provider keys, and the instances' desktop and gateway pointed at a real Xvnc and an in-test gateway.
/// </summary>
public sealed class CloudWebClientHost : WebClientHost
{
    public XvncServer Vnc { get; private set; } = null!;

    public TestGateway Gateway { get; private set; } = null!;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["LOCAL_DEV_MODE"] = "true",
        ["ENCRYPTION_KEY"] = CloudHost.EncryptionKey,
        ["CLOUD_POLL_SEC"] = "1",
        ["LOCAL_VNC_ADDRESS"] = Vnc.Address,
        ["LOCAL_GATEWAY_URL"] = Gateway.Url,
    };

    public override async Task InitializeAsync()
    {
        // A larger screen than the proxy tests', so the page shows a desktop worth a screenshot.
        Vnc = await XvncServer.StartAsync("320x200");
        Gateway = await TestGateway.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Gateway.DisposeAsync();
        await Vnc.DisposeAsync();
    }
}
