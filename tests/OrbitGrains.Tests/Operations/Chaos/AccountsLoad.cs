using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace OrbitGrains.Tests.Operations.Chaos;

/// <summary>
/// Sign-ups and sign-ins (`/api/auth/signup`, `/api/auth/login`) over both front ends. Every 2xx is an acknowledged
/// write: the account must sign in afterwards and the session's access token must still be accepted.
/// </summary>
public sealed class AccountsLoad(ChaosContext context)
{
    private const string Password = "chaos password 0123";
    private readonly ConcurrentQueue<string> _accounts = new();
    private readonly ConcurrentQueue<(double At, string Token)> _sessions = new();
    private readonly ConcurrentQueue<double> _signIns = new();
    private int _unanswered;
    private int _refused;

    public int Accounts => _accounts.Count;

    public int Sessions => _sessions.Count;

    /// <summary>Requests that got no answer (their node went away): not acknowledged, so not counted.</summary>
    public int Unanswered => _unanswered;

    /// <summary>Answers other than 2xx (a 5xx is also in the context's errors).</summary>
    public int Refused => _refused;

    /// <summary>Sign-ins acknowledged between two instants of the run (for the metrics check).</summary>
    public int SignInsBetween(double from, double to) => _signIns.Count(at => at >= from && at <= to);

    public async Task RunAsync(int worker, CancellationToken stop)
    {
        var front = worker;
        while (!stop.IsCancellationRequested)
        {
            var email = $"chaos-{Guid.NewGuid():N}@example.com";
            try
            {
                if (await PostAsync(front++, "/api/auth/signup", email) is { } signedUp)
                {
                    _accounts.Enqueue(email);
                    _sessions.Enqueue((context.Now, signedUp));
                    if (await PostAsync(front++, "/api/auth/login", email) is { } signedIn)
                    {
                        _sessions.Enqueue((context.Now, signedIn));
                        _signIns.Enqueue(context.Now);
                    }
                }
            }
            catch (Exception ex) when (ChaosContext.IsUnanswered(ex))
            {
                Interlocked.Increment(ref _unanswered);
                front++;
            }

            // The pace of the load, not a wait for a condition.
            await Pace(TimeSpan.FromMilliseconds(300), stop);
        }
    }

    /// <summary>Accounts that no longer sign in and sessions no longer accepted, each with what it answered.</summary>
    public async Task<List<string>> LostAsync()
    {
        var lost = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(_accounts, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (email, _) =>
        {
            using var response = await context.ReadAsync(email.GetHashCode(), () => new HttpRequestMessage(HttpMethod.Post, "/api/auth/login")
            {
                Content = JsonContent.Create(new { email, password = Password }),
            });
            if (response.StatusCode != HttpStatusCode.OK)
            {
                lost.Add($"account {email}: login {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        });
        await Parallel.ForEachAsync(_sessions, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (session, _) =>
        {
            using var response = await context.ReadAsync(session.Token.GetHashCode(), () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Get, "/api/auth/me");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", session.Token);
                return request;
            });
            if (response.StatusCode != HttpStatusCode.OK)
            {
                lost.Add($"session acknowledged at {session.At:F1}s: /api/auth/me {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        });
        return [.. lost];
    }

    private async Task<string?> PostAsync(int front, string path, string email)
    {
        using var response = await context.Http(front).PostAsJsonAsync(path, new { email, password = Password });
        if (!response.IsSuccessStatusCode)
        {
            Interlocked.Increment(ref _refused);
            return null;
        }

        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return (string)body["access_token"]!;
    }

    internal static async Task Pace(TimeSpan delay, CancellationToken stop)
    {
        try
        {
            await Task.Delay(delay, stop);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
