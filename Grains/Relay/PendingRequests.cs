using System.Security.Cryptography;
using System.Text.Json;

namespace OrbitGrains.Relay;

/// <summary>
/// The requests of one direction that wait for an answer (clients' requests to anchors, or anchors' requests to
/// clients), keyed by the peer that must answer and the id that peer saw. JSON-RPC ids are chosen by each sender
/// (spec/orbit.md, "Routing": ids are per client), so two senders may use one id toward the same answerer; the later
/// one is then sent under a fresh id and its answer goes back under its own id, to it alone.
/// </summary>
internal sealed class PendingRequests(int capacity)
{
    private readonly Dictionary<(string Answerer, string Id), PendingRequest> _pending = [];

    /// <summary>
    /// Remembers a request from <paramref name="asker"/> to each of <paramref name="answerers"/>, whose id is the JSON
    /// text <paramref name="idKey"/>. Returns the JSON text of the id to send instead, or null to send the frame as it is.
    /// </summary>
    public string? Add(string asker, IReadOnlyCollection<string> answerers, string idKey)
    {
        string? replacement = null;
        foreach (var answerer in answerers)
        {
            if (_pending.TryGetValue((answerer, idKey), out var other) && other.Asker != asker)
            {
                replacement = FreshId(idKey);
                break;
            }
        }

        var sent = replacement ?? idKey;
        foreach (var answerer in answerers)
        {
            Remember((answerer, sent), new PendingRequest(asker, replacement is null ? null : idKey));
        }

        return replacement;
    }

    /// <summary>The request that <paramref name="answerer"/> answers with id <paramref name="idKey"/> (JSON text), forgotten once found.</summary>
    public bool TryComplete(string answerer, string idKey, out PendingRequest request) => _pending.Remove((answerer, idKey), out request);

    /// <summary>Forgets what waits for a peer that is gone (nobody will answer it now) and returns it: the askers and their ids.</summary>
    public List<PendingRequest> ForgetAnswerer(string answerer)
    {
        var forgotten = new List<PendingRequest>();
        foreach (var key in _pending.Keys.Where(k => k.Answerer == answerer).ToList())
        {
            _pending.Remove(key, out var request);
            forgotten.Add(request with { OriginalId = request.OriginalId ?? key.Id });
        }

        return forgotten;
    }

    private void Remember((string, string) key, PendingRequest request)
    {
        if (_pending.Count >= capacity && !_pending.ContainsKey(key))
        {
            // Bounded so that a peer that never answers cannot grow memory; any one entry will do.
            _pending.Remove(_pending.Keys.First());
        }

        _pending[key] = request;
    }

    /// <summary>A string id no sender chose: the original's text, then 8 random hex digits (as multi-dispatch does).</summary>
    private static string FreshId(string idKey)
    {
        var original = idKey.StartsWith('"') ? JsonSerializer.Deserialize<string>(idKey) : idKey;
        return JsonSerializer.Serialize($"{original}:{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");
    }
}

/// <param name="Asker">The connection (client) or anchor id whose request it is.</param>
/// <param name="OriginalId">The JSON text of the id the asker used, when it was sent under another; null when unchanged
/// (<see cref="PendingRequests.ForgetAnswerer"/> always fills it in).</param>
internal readonly record struct PendingRequest(string Asker, string? OriginalId);
