using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace OrbitGrains.Tests.Infrastructure;

/// <summary>
/// The Chrome DevTools Protocol over the browser's WebSocket: commands matched to their answers by id, and waits for
/// the few events a test asks for. Page commands go to a flattened target session by its sessionId.
/// </summary>
public sealed class DevToolsConnection : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    private readonly ClientWebSocket _socket;
    private readonly ConcurrentDictionary<long, TaskCompletionSource<JsonObject>> _pending = new();
    private readonly List<EventWaiter> _waiters = [];
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly CancellationTokenSource _closing = new();
    private readonly Task _receiving;
    private long _nextId;

    private DevToolsConnection(ClientWebSocket socket)
    {
        _socket = socket;
        _receiving = Task.Run(ReceiveAsync);
    }

    public static async Task<DevToolsConnection> ConnectAsync(Uri url)
    {
        var socket = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(CommandTimeout);
        await socket.ConnectAsync(url, timeout.Token);
        return new DevToolsConnection(socket);
    }

    /// <summary>Sends a command and returns its result; a protocol error or a late answer throws.</summary>
    public async Task<JsonObject> SendAsync(string method, object? parameters = null, string? sessionId = null, TimeSpan? timeout = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        var answer = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        var message = new JsonObject
        {
            ["id"] = id,
            ["method"] = method,
            ["params"] = parameters is null ? new JsonObject() : System.Text.Json.JsonSerializer.SerializeToNode(parameters),
        };
        if (sessionId is not null)
        {
            message["sessionId"] = sessionId;
        }

        try
        {
            if (_receiving.IsCompleted)
            {
                // Nobody would ever answer: fail now rather than at the timeout.
                throw new InvalidOperationException($"{method}: the DevTools connection is closed.");
            }

            await _sending.WaitAsync(_closing.Token);
            try
            {
                await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, _closing.Token);
            }
            finally
            {
                _sending.Release();
            }

            var response = await answer.Task.WaitAsync(timeout ?? CommandTimeout);
            if (response["error"] is { } error)
            {
                throw new InvalidOperationException($"{method} failed: {error.ToJsonString()}");
            }

            return response["result"]?.AsObject() ?? [];
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{method} got no answer within {(timeout ?? CommandTimeout).TotalSeconds} s.");
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>
    /// Starts listening for an event of a session before the command that causes it is sent; await the result
    /// (with its own timeout) afterwards.
    /// </summary>
    public Func<TimeSpan, Task<JsonObject>> ListenFor(string method, string? sessionId)
    {
        var waiter = new EventWaiter(method, sessionId);
        lock (_waiters)
        {
            _waiters.Add(waiter);
        }

        return async timeout =>
        {
            try
            {
                return await waiter.Fired.Task.WaitAsync(timeout);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"No {method} within {timeout.TotalSeconds} s.");
            }
            finally
            {
                lock (_waiters)
                {
                    _waiters.Remove(waiter);
                }
            }
        };
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (!_closing.IsCancellationRequested)
            {
                var received = await _socket.ReceiveAsync(buffer, _closing.Token);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                message.Write(buffer, 0, received.Count);
                if (!received.EndOfMessage)
                {
                    continue;
                }

                var node = JsonNode.Parse(message.GetBuffer().AsSpan(0, (int)message.Length))!.AsObject();
                message.SetLength(0);
                Dispatch(node);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            // Closing, or the browser went away: whoever still waits is told below.
        }

        foreach (var pending in _pending.Values)
        {
            pending.TrySetException(new InvalidOperationException("The DevTools connection closed."));
        }
    }

    private void Dispatch(JsonObject message)
    {
        if (message["id"] is { } id)
        {
            if (_pending.TryGetValue((long)id, out var answer))
            {
                answer.TrySetResult(message);
            }

            return;
        }

        // Events nobody waits for (and there are many once a domain is enabled) are dropped.
        var method = (string?)message["method"];
        var sessionId = (string?)message["sessionId"];
        lock (_waiters)
        {
            foreach (var waiter in _waiters.Where(w => w.Method == method && w.SessionId == sessionId))
            {
                waiter.Fired.TrySetResult(message["params"]?.AsObject() ?? []);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _closing.Cancel();
        try
        {
            await _receiving.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            // The socket is aborted below regardless.
        }

        _socket.Abort();
        _socket.Dispose();
        _sending.Dispose();
        _closing.Dispose();
    }

    private sealed record EventWaiter(string Method, string? SessionId)
    {
        public TaskCompletionSource<JsonObject> Fired { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
