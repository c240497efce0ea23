using System.Text.Json;

namespace OrbitGrains.Feeds;

/// <summary>
/// How grains publish to a person's live feed: <c>{type, data}</c>, data any object serialised as camelCase JSON. The
/// call is one-way, so publishing never slows or fails the change it reports (a lost entry shows as a gap the reader
/// fills from the feed, or, when the feed itself was lost, as a "reset" that makes it reload).
/// </summary>
public static class UserFeedPublisher
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Task PublishAsync(this IGrainFactory grains, string userId, string type, object data) =>
        grains.GetGrain<IUserFeedGrain>(userId).Publish(type, JsonSerializer.Serialize(data, Json));
}
