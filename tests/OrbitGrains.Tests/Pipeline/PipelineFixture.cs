namespace OrbitGrains.Tests.Pipeline;

/// <summary>One front end shared by a test class (each test makes its own jobs), to keep the suite fast.</summary>
public sealed class PipelineFixture : IAsyncLifetime
{
    private readonly TempDirectory _data = new("orbit-pipeline");

    public RunningHost Host { get; private set; } = null!;

    public HttpClient Http => Host.Http;

    public async Task InitializeAsync()
    {
        var configuration = PipelineHost.Configuration(_data.Path, "pipeline");
        configuration["Operator:pipeline:sse_heartbeat_seconds"] = "0.5";
        Host = await PipelineHost.StartAsync(configuration);
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        _data.Dispose();
    }
}
