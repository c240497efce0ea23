using Microsoft.Extensions.DependencyInjection;
using OrbitGrains.Relay;

namespace OrbitGrains.Tests.Relay;

/// <summary>
/// What a relay sends while it handles a batch of one socket's frames reaches each hub in one call, in order; a hub
/// that did not say it takes batches (an older front end during a rolling upgrade) still gets one call per frame.
/// </summary>
[Collection(RelayCollection.Name)]
public sealed class RelayOutboxTests(RelayHostFixture fixture)
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_burst_handled_as_one_batch_reaches_the_hub_in_order_in_one_call_when_it_takes_batches(bool hubTakesBatches)
    {
        var host = fixture.Host;
        var user = RelayHostFixture.NewUser();
        var relay = host.Grains.GetGrain<IUserRelayGrain>(user);
        var recording = new RecordingHub();
        var hub = host.Services.GetRequiredService<IGrainFactory>().CreateObjectReference<IRelayHub>(recording);
        var hubId = RelayHubIds.New(host.Services.GetRequiredService<Orleans.Runtime.ILocalSiloDetails>().SiloAddress);

        await relay.Connect(new RelayConnection("a-burst", RelayRole.Anchor, null, hubId, hubTakesBatches), hub);
        await relay.Connect(new RelayConnection("c-burst", RelayRole.Client, "tab", hubId, hubTakesBatches), hub);
        Assert.True(await relay.Receive("a-burst", """{"type":"anchor.hello","anchorId":"burst"}"""));

        var frames = Enumerable.Range(0, 20)
            .Select(i => $$$"""{"method":"item/agentMessage/delta","params":{"threadId":"t-burst","delta":"{{{i}}}"}}""")
            .ToArray();
        Assert.True(await relay.ReceiveMany("a-burst", frames));

        await Eventually.TrueAsync(() => recording.FramesFor("c-burst").Count(f => f.Contains("delta")) == frames.Length, "every frame reached the client's hub");
        Assert.Equal(frames, recording.FramesFor("c-burst").Where(f => f.Contains("delta")));
        var calls = recording.Calls.Where(call => call.Frames.Any(f => f.Contains("delta"))).ToList();
        if (hubTakesBatches)
        {
            var call = Assert.Single(calls);
            Assert.Equal(nameof(IRelayHub.DeliverMany), call.Method);
        }
        else
        {
            Assert.Equal(frames.Length, calls.Count);
            Assert.All(calls, call => Assert.Equal(nameof(IRelayHub.Deliver), call.Method));
        }

        await relay.Disconnect("a-burst");
        await relay.Disconnect("c-burst");
        host.Services.GetRequiredService<IGrainFactory>().DeleteObjectReference<IRelayHub>(hub);
    }

    /// <summary>Every call a relay made to this hub, in the order they arrived, with the frames each carried per socket.</summary>
    private sealed class RecordingHub : IRelayHub
    {
        private readonly List<(string Method, RelayDelivery[] Deliveries)> _calls = [];

        public IReadOnlyList<(string Method, string[] Frames)> Calls
        {
            get
            {
                lock (_calls)
                {
                    return _calls.Select(c => (c.Method, c.Deliveries.Select(d => d.Frame).ToArray())).ToList();
                }
            }
        }

        public List<string> FramesFor(string connectionId)
        {
            lock (_calls)
            {
                return _calls.SelectMany(c => c.Deliveries).Where(d => d.ConnectionIds.Contains(connectionId)).Select(d => d.Frame).ToList();
            }
        }

        public Task Deliver(string userId, string[] connectionIds, string frame) => Add(nameof(Deliver), [new RelayDelivery(connectionIds, frame)]);

        public Task DeliverMany(string userId, RelayDelivery[] deliveries) => Add(nameof(DeliverMany), deliveries);

        public Task Close(string connectionId, int closeStatus, string reason) => Task.CompletedTask;

        private Task Add(string method, RelayDelivery[] deliveries)
        {
            lock (_calls)
            {
                _calls.Add((method, deliveries));
            }

            return Task.CompletedTask;
        }
    }
}
