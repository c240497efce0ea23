namespace OrbitGrains.Bench.RoomsFanout;

/// <param name="Phase">
/// "spread": each robot keeps its own 1/rate schedule, offset from the others' evenly, as independent robots do.
/// "together": every robot sends on the same instant, a worst case of 100 x 50 deliveries at once.
/// </param>
internal sealed record FanoutOptions(Uri BaseUri, string Token, int Rooms, int Viewers, int Rate, int Seconds, int Warmup, string Phase, int Receivers, int? ServerPid)
{
    public static FanoutOptions Parse(string[] args)
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            map[args[i].TrimStart('-')] = args[i + 1];
        }

        int Int(string key, int fallback, int max) => Math.Clamp(int.Parse(map.GetValueOrDefault(key, fallback.ToString())), 1, max);
        var phase = map.GetValueOrDefault("phase", "spread");
        if (phase is not ("spread" or "together"))
        {
            throw new ArgumentException("--phase is spread or together");
        }

        return new FanoutOptions(
            new Uri(map.GetValueOrDefault("base", "http://127.0.0.1:8090")),
            map.GetValueOrDefault("token") ?? Environment.GetEnvironmentVariable("BENCH_AUTH_TOKEN") ?? throw new ArgumentException("--token or BENCH_AUTH_TOKEN"),
            Int("rooms", 100, 1000), Int("viewers", 50, 1000), Int("rate", 100, 10_000), Int("seconds", 20, 300), Int("warmup", 20, 120),
            phase, Int("receivers", 1, 8), map.TryGetValue("server-pid", out var pid) ? int.Parse(pid) : null);
    }
}
