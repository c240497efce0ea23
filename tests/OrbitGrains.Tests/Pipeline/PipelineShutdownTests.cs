using System.Diagnostics;

namespace OrbitGrains.Tests.Pipeline;

public sealed class PipelineShutdownTests
{
    [Fact]
    public async Task Stopping_a_front_end_ends_its_event_streams_promptly()
    {
        using var data = new TempDirectory();
        var host = await PipelineHost.StartAsync(PipelineHost.Configuration(data.Path, "shutdown"));
        var id = (await host.Http.CreateJobAsync("shutdown")).GetProperty("id").GetString()!;
        await using var sse = await SseClient.OpenAsync(host.Http, id);
        Assert.Equal("connected", (await sse.NextAsync()).Type);
        await sse.ReadUntilAsync(f => f.Type == "gate_pause");

        var stopping = Stopwatch.StartNew();
        var stop = host.DisposeAsync().AsTask();
        await Assert.ThrowsAsync<EndOfStreamException>(async () =>
        {
            while (true)
            {
                await sse.NextAsync(TimeSpan.FromSeconds(10));
            }
        });
        await stop;
        // Well under Kestrel's wait for open requests: the stream was ended, not abandoned.
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(10), $"stopping took {stopping.Elapsed}");
    }
}
