namespace OrbitGrains.WebFrontend.Hosting;

public abstract partial class SseTopicHub<TEntry>
{
    /// <summary>One watched source on this front end and its local connections.</summary>
    public sealed class Topic(string key)
    {
        public string Key { get; } = key;
        internal List<Subscription> Subscribers { get; } = [];
        internal SemaphoreSlim Lock { get; } = new(1, 1);
        internal Task<bool>? Registration { get; set; }

        /// <summary>The newest id passed on to the connections.</summary>
        internal long LastId { get; set; }
    }
}
