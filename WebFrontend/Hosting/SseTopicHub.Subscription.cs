using System.Threading.Channels;

namespace OrbitGrains.WebFrontend.Hosting;

public abstract partial class SseTopicHub<TEntry>
{
    /// <summary>One connection's live frames. A connection that falls the hub's capacity behind is ended (it reconnects with Last-Event-ID).</summary>
    public sealed class Subscription : IDisposable
    {
        private readonly SseTopicHub<TEntry> _hub;
        private readonly Channel<SseFrame> _channel;
        private int _disposed;

        internal Subscription(SseTopicHub<TEntry> hub, Topic topic, int capacity)
        {
            _hub = hub;
            Topic = topic;
            _channel = Channel.CreateBounded<SseFrame>(
                new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        }

        internal Topic Topic { get; }

        public ChannelReader<SseFrame> Reader => _channel.Reader;

        /// <summary>True once the connection fell too far behind and its channel was ended.</summary>
        public bool Overflowed { get; private set; }

        internal void Offer(SseFrame frame)
        {
            if (!_channel.Writer.TryWrite(frame))
            {
                Overflowed = true;
                _channel.Writer.TryComplete();
            }
        }

        internal void End() => _channel.Writer.TryComplete();

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _channel.Writer.TryComplete();
                _hub.Leave(this);
            }
        }
    }
}
