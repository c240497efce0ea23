using System.Security.Cryptography;
using System.Text;
using OrbitGrains.Rooms;
using OrbitGrains.WebFrontend.Hosting;

namespace OrbitGrains.WebFrontend.Rooms;

/// <summary>Runs the registered resolvers in order; tokens longer than any real credential are refused unread.</summary>
public sealed class RoomIdentity(IEnumerable<IRoomIdentityResolver> resolvers)
{
    private const int MaxTokenLength = 8192;
    private readonly IRoomIdentityResolver[] _resolvers = resolvers.ToArray();

    /// <param name="allowRoomTokens">False for /api/login, so a room token cannot be renewed into another forever.</param>
    public async ValueTask<RoomCaller?> ResolveAsync(string? token, bool allowRoomTokens, CancellationToken cancellationToken)
    {
        token = token?.Trim();
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength)
        {
            return null;
        }

        foreach (var resolver in _resolvers)
        {
            if (await resolver.ResolveAsync(token, cancellationToken) is { } caller && (allowRoomTokens || caller.Kind != CallerKind.RoomToken))
            {
                return caller;
            }
        }

        return null;
    }
}

/// <summary>The admin bearer is an admin in every room.</summary>
public sealed class AdminTokenResolver(OrbitSecrets secrets) : IRoomIdentityResolver
{
    public ValueTask<RoomCaller?> ResolveAsync(string token, CancellationToken cancellationToken) =>
        ValueTask.FromResult(secrets.IsAdminToken(token) ? new RoomCaller("admin", RoomRole.Admin, CallerKind.AdminToken) : null);
}

/// <summary>
/// AUTH_TOKENS, compared by hash in constant time. Their holders drove the original's robots, so they are operators;
/// the name is a hash prefix, so audit entries can tell tokens apart without ever showing one.
/// </summary>
public sealed class StaticTokenResolver(RoomsOptions options) : IRoomIdentityResolver
{
    private readonly byte[][] _hashes = options.StaticTokens.Select(Hash).ToArray();

    public ValueTask<RoomCaller?> ResolveAsync(string token, CancellationToken cancellationToken)
    {
        var presented = Hash(token);
        var match = false;
        foreach (var hash in _hashes)
        {
            match |= CryptographicOperations.FixedTimeEquals(presented, hash);
        }

        return ValueTask.FromResult(match ? new RoomCaller($"token-{Convert.ToHexStringLower(presented)[..8]}", RoomRole.Operator, CallerKind.StaticToken) : null);
    }

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}

public sealed class RoomTokenResolver(RoomTokens tokens) : IRoomIdentityResolver
{
    public async ValueTask<RoomCaller?> ResolveAsync(string token, CancellationToken cancellationToken) =>
        token.Count(c => c == '.') == 2 ? await tokens.ValidateAsync(token) : null;
}
