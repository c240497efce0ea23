using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace OrbitGrains.Tests.Hosting;

/// <summary>A host of its own for the fuzz test, so its log holds only what the fuzz input caused.</summary>
public sealed class FuzzHostFixture : InputHostFixture;

/// <summary>
/// Every documented route (from the OpenAPI document, plus the few it leaves out) and every socket message type (the
/// catalogue below) gets at least 50 mutated inputs from a seeded generator (ORBIT_FUZZ_SEED to replay another run).
/// No answer may be a 5xx, no socket may end without a close frame, nothing may reach the last line (an error in
/// the log), and user A's well-behaved clients must keep working throughout. About a minute and a half here (the
/// budget is three): the three kinds of socket are fuzzed side by side, and 1 MB strings are a small share of inputs.
/// </summary>
public sealed class FuzzTests(FuzzHostFixture fixture, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<FuzzHostFixture>
{
    private const int PerTarget = 50;

    /// <summary>
    /// How long a probe's answer may take: the fuzzer's 1 MB frames share the machine with the whole suite. 10 s was once
    /// too short on a loaded CI machine (the failure then could not tell an unanswered probe from an aborted socket; it
    /// now does).
    /// </summary>
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(30);
    private static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable("ORBIT_FUZZ_SEED"), out var seed) ? seed : 20261129;

    /// <summary>Routes the OpenAPI document does not describe (sockets' plain GETs, the admin form, the docs page).</summary>
    private static readonly (string Method, string Path)[] Undocumented = [("GET", "/ws"), ("POST", "/admin/login"), ("GET", "/admin/login"), ("GET", "/docs")];

    [Fact]
    public async Task No_input_to_any_route_or_socket_is_a_5xx_an_aborted_socket_or_an_error_in_the_log()
    {
        var clock = Stopwatch.StartNew();
        await using var actors = await FuzzActors.StartAsync(fixture);
        var errorsBefore = fixture.Log.Errors.Count;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();

        // The three kinds of socket at once, each from its own seeded generator: the order within each is fixed.
        await Task.WhenAll(SocketCatalogue(actors.Fuzzer).Select((socket, index) => Task.Run(async () =>
        {
            var inputs = new FuzzInputs(Seed + index + 1);
            foreach (var (type, valid) in socket.Catalogue)
            {
                await FuzzSocketAsync(inputs, socket.Role, socket.Path(), valid, failures, $"{socket.Role} {type}");
                await actors.CheckAsync($"{socket.Role} frames of type {type}");
            }
        })));

        // Requests after the sockets: they may end the fuzzer's own session, which its sockets sign in with.
        var requests = new FuzzInputs(Seed);
        foreach (var (method, route, members, valid) in await OperationsAsync())
        {
            for (var i = 0; i < PerTarget; i++)
            {
                await FuzzRequestAsync(requests, method, route, members, valid, actors.Fuzzer, failures);
            }

            await actors.CheckAsync($"{method} {route}");
        }

        Assert.True(failures.Count == 0, $"seed {Seed}: {failures.Count} failures:\n{string.Join('\n', failures.Take(40))}");
        var errors = fixture.Log.Errors.Skip(errorsBefore).ToList();
        Assert.True(errors.Count == 0, $"seed {Seed}: errors in the log:\n{string.Join('\n', errors.Take(10).Select(e => $"{e.Category}: {e.Message} {e.Exception?.GetType().Name}: {e.Exception?.Message}"))}");
        output.WriteLine($"seed {Seed}: {clock.Elapsed} for every route and socket message type");
    }

    private async Task FuzzRequestAsync(
        FuzzInputs inputs, string method, string route, IReadOnlyList<string> members, JsonObject? valid, FuzzCredentials credentials, System.Collections.Concurrent.ConcurrentQueue<string> failures)
    {
        var path = string.Concat(route.Split('/').Select((segment, index) => (index == 0 ? "" : "/") +
            (segment.StartsWith('{') ? Uri.EscapeDataString(inputs.Id(credentials.Ids)) : segment)));
        if (inputs.Chance(40))
        {
            path += $"?{inputs.Pick(["limit", "offset", "after", "since", "log", "exclude", "after_id", "token", "clientId"])}={Uri.EscapeDataString(inputs.Id(credentials.Ids))}";
        }

        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = new ByteArrayContent(route == "/admin/login" ? Encoding.UTF8.GetBytes($"token={Uri.EscapeDataString(inputs.Pick(FuzzInputs.NastyTexts))}") : inputs.Body(members, valid));
            if ((route == "/admin/login" ? inputs.Pick(["application/x-www-form-urlencoded", "multipart/form-data; boundary=", "text/plain"]) : inputs.ContentType()) is { } type)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", type);
            }
        }

        if (inputs.Pick(credentials.Bearers) is { } bearer)
        {
            request.Headers.TryAddWithoutValidation("Authorization", inputs.Chance(90) ? $"Bearer {bearer}" : bearer);
        }

        try
        {
            // Streams (SSE, the dashboard's trace) answer with headers and go on: the status is all that is read.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            using var response = await fixture.Host.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if ((int)response.StatusCode >= 500)
            {
                failures.Enqueue($"{method} {Shorten(path)} -> {(int)response.StatusCode} {Shorten(await response.Content.ReadAsStringAsync())}");
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            failures.Enqueue($"{method} {Shorten(path)} -> {ex.GetType().Name}: {ex.Message}");
        }
    }

    private async Task FuzzSocketAsync(FuzzInputs inputs, string role, string path, JsonObject valid, System.Collections.Concurrent.ConcurrentQueue<string> failures, string what)
    {
        OrbitSocket? socket = null;
        try
        {
            for (var i = 0; i < PerTarget; i++)
            {
                socket ??= await OrbitSocket.ConnectAsync(fixture.Host.BaseAddress, path);
                var frame = inputs.Frame(valid);
                try
                {
                    await socket.SendRawAsync(frame, WebSocketMessageType.Text);
                    await ProbeAsync(socket, role);
                }
                catch (Exception ex) when (ex is WebSocketException or InvalidOperationException or TimeoutException or OperationCanceledException)
                {
                    // Closed: fine when the server said why (1007, 1009, 4401 ...); an abort is a failure, and so is a
                    // socket that stays open but does not answer.
                    await socket.ClosedAsync(ProbeTimeout).ContinueWith(_ => { });
                    if (socket.CloseStatus is null)
                    {
                        failures.Enqueue(socket.IsOpen
                            ? $"{what}: no answer to a ping within {ProbeTimeout.TotalSeconds} s after {Shorten(Encoding.UTF8.GetString(frame))} ({ex.GetType().Name})"
                            : $"{what}: the socket ended without a close frame after {Shorten(Encoding.UTF8.GetString(frame))} ({ex.GetType().Name}: {ex.Message})");
                    }

                    await socket.DisposeAsync();
                    socket = null;
                }
            }
        }
        finally
        {
            if (socket is not null)
            {
                await socket.DisposeAsync();
            }
        }
    }

    /// <summary>Proves the socket is alive and has handled what came before: a ping (relay) or an unknown type (rooms) is answered.</summary>
    private static async Task ProbeAsync(OrbitSocket socket, string role)
    {
        var probe = Guid.NewGuid().ToString("N");
        if (role == "room")
        {
            // Answered in the legacy room too, where unknown types are relayed rather than refused.
            await socket.SendAsync(new { type = "control", action = probe });
            await socket.NextAsync(f => f["code"]?.ToJsonString() == "\"invalid_message\"" && f["ref"]?.ToJsonString() == "\"control\"", ProbeTimeout);
        }
        else
        {
            await socket.SendAsync(new { type = "ping", probe });
            await socket.NextAsync(f => f["type"]?.ToJsonString() == "\"pong\"", ProbeTimeout);
        }
    }

    private static IEnumerable<(string Role, Func<string> Path, (string Type, JsonObject Valid)[] Catalogue)> SocketCatalogue(FuzzCredentials credentials)
    {
        yield return ("client", () => $"/ws/client?token={credentials.WebToken}&clientId=fuzz-{Guid.NewGuid():N}",
        [
            ("orbit.subscribe", Json("""{"type":"orbit.subscribe","threadId":"fuzz-thread"}""")),
            ("orbit.unsubscribe", Json("""{"type":"orbit.unsubscribe","threadId":"fuzz-thread"}""")),
            ("orbit.list-anchors", Json("""{"type":"orbit.list-anchors"}""")),
            ("orbit.artifacts.list", Json("""{"type":"orbit.artifacts.list","threadId":"fuzz-thread","limit":5,"beforeId":3,"requestId":"r"}""")),
            ("orbit.multi-dispatch", Json("""{"type":"orbit.multi-dispatch","requestId":"m","anchorIds":["fuzz-anchor"],"request":{"method":"thread/list","params":{}}}""")),
            ("ping", Json("""{"type":"ping","ts":"2026-01-01T00:00:00Z"}""")),
            ("request", Json("""{"id":1,"method":"turn/start","params":{"threadId":"fuzz-thread","anchorId":"fuzz-anchor","input":"hi"}}""")),
            ("response", Json("""{"id":"s-1","result":{"ok":true}}""")),
            ("notification", Json("""{"method":"thread/opened","params":{"threadId":"fuzz-thread"}}""")),
        ]);
        yield return ("anchor", () => $"/ws/anchor?token={credentials.AnchorToken}",
        [
            ("anchor.hello", Json("""{"type":"anchor.hello","anchorId":"fuzz-anchor","hostname":"fuzz.local","platform":"linux","ts":"2026-01-01T00:00:00Z"}""")),
            ("orbit.subscribe", Json("""{"type":"orbit.subscribe","threadId":"fuzz-thread"}""")),
            ("turn", Json("""{"method":"turn/started","params":{"threadId":"fuzz-thread","turn":{"id":"t1"}}}""")),
            ("item", Json("""{"method":"item/completed","params":{"threadId":"fuzz-thread","turnId":"t1","item":{"id":"i1","type":"commandExecution","command":"ls"}}}""")),
            ("response", Json("""{"id":1,"result":{"threadId":"fuzz-thread"}}""")),
            ("request", Json("""{"id":"a-1","method":"approval/request","params":{"threadId":"fuzz-thread"}}""")),
        ]);
        yield return ("room", () => $"/ws?token={credentials.RoomToken}&session_id={credentials.SessionId}",
        [
            ("token", Json("""{"token":"not-a-token"}""")),
            ("join", Json($$"""{"type":"join","session_id":"{{credentials.SessionId}}"}""")),
            ("offer", Json("""{"type":"offer","sdp":"v=0\r\n","to":"p-1"}""")),
            ("answer", Json("""{"type":"answer","sdp":"v=0\r\n"}""")),
            ("ice", Json("""{"type":"ice","candidate":{"candidate":"candidate:1 1 udp 1 10.0.0.1 9 typ host","sdpMLineIndex":0}}""")),
            ("telemetry", Json("""{"type":"telemetry","data":{"speed":1.5}}""")),
            ("command", Json("""{"type":"command","data":{"move":"left"}}""")),
            ("control", Json("""{"type":"control","action":"acquire"}""")),
            ("estop", Json("""{"type":"estop","reason":"fuzz"}""")),
            ("leave", Json("""{"type":"leave"}""")),
        ]);
    }

    /// <summary>Every operation of the OpenAPI document, with the members of its request body and a valid example of it.</summary>
    private async Task<List<(string Method, string Route, IReadOnlyList<string> Members, JsonObject? Valid)>> OperationsAsync()
    {
        var document = JsonNode.Parse(await fixture.Host.Http.GetStringAsync("/openapi/v1.json"))!;
        var schemas = document["components"]?["schemas"]?.AsObject();
        var operations = new List<(string, string, IReadOnlyList<string>, JsonObject?)>();
        foreach (var (route, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                var reference = (string?)operation?["requestBody"]?["content"]?["application/json"]?["schema"]?["$ref"];
                var members = reference is null ? [] : schemas?[reference.Split('/')[^1]]?["properties"]?.AsObject().Select(p => p.Key).ToList() ?? [];
                var valid = new JsonObject(members.Select(m => KeyValuePair.Create(m, (JsonNode?)JsonValue.Create($"fuzz-{m}"))));
                operations.Add((method.ToUpperInvariant(), route, members, valid));
            }
        }

        operations.AddRange(Undocumented.Select(u => (u.Method, u.Path, (IReadOnlyList<string>)[], (JsonObject?)null)));
        Assert.True(operations.Count >= 60, $"the OpenAPI document lists only {operations.Count} operations");
        return operations;
    }

    private static JsonObject Json(string text) => JsonNode.Parse(text)!.AsObject();

    private static string Shorten(string text) => text.Length <= 160 ? text : text[..160] + "...";
}
