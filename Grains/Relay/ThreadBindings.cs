namespace OrbitGrains.Relay;

/// <summary>
/// Which anchor each of one user's threads is bound to (spec/orbit.md: a thread is bound to the anchor whose answer
/// carried its id, and later requests on it go there). The thread grain holds the binding durably; this is the
/// relay's bounded cache of it: past <see cref="MaxCached"/> threads the oldest entry goes and is read again from its
/// thread when next needed. Owned by <see cref="UserRelayGrain"/> and used only on its scheduler.
/// </summary>
internal sealed class ThreadBindings(Func<string, IThreadGrain> thread)
{
    /// <summary>Threads whose binding is remembered at once; the rest cost one read of the thread grain.</summary>
    public const int MaxCached = 4096;

    private readonly Dictionary<string, string?> _bound = new(StringComparer.Ordinal);

    /// <summary>The anchor the thread is bound to, or null when it is bound to none.</summary>
    public async Task<string?> AnchorOfAsync(string threadId)
    {
        if (!_bound.TryGetValue(threadId, out var bound))
        {
            bound = await thread(threadId).BoundAnchor();
            Remember(threadId, bound);
        }

        return bound;
    }

    /// <summary>Binds the thread to <paramref name="anchorId"/>, storing it in the thread unless it is already so.</summary>
    public async Task BindAsync(string threadId, string anchorId)
    {
        if (await AnchorOfAsync(threadId) == anchorId)
        {
            return;
        }

        Remember(threadId, anchorId);
        await thread(threadId).Bind(anchorId);
    }

    /// <summary>The cached threads bound to <paramref name="anchorId"/> (others may be bound to it in storage only).</summary>
    public IEnumerable<string> ThreadsOf(string anchorId) => _bound.Where(b => b.Value == anchorId).Select(b => b.Key).ToList();

    /// <summary>Unbinds the thread if it is bound to <paramref name="anchorId"/> (the anchor left).</summary>
    public async Task ReleaseAsync(string threadId, string anchorId)
    {
        if (_bound.TryGetValue(threadId, out var bound) && bound == anchorId)
        {
            Remember(threadId, null);
            await thread(threadId).Bind(null);
        }
    }

    /// <summary>Records what the thread said its binding is (read alongside its replay).</summary>
    public void Remember(string threadId, string? anchorId)
    {
        if (_bound.Count >= MaxCached && !_bound.ContainsKey(threadId))
        {
            _bound.Remove(_bound.Keys.First());
        }

        _bound[threadId] = anchorId;
    }
}
