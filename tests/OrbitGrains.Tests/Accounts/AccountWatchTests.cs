using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using OrbitGrains.Accounts;
using OrbitGrains.WebFrontend.Hosting.Access;

namespace OrbitGrains.Tests.Accounts;

public sealed class AccountWatchHost : AccountsHost;

/// <summary>
/// A front end watches an account once (<see cref="AccountWatch"/>): the open sockets and the session cache share one
/// object reference and its lease, and every notice reaches both, whichever of them registered the watch.
/// </summary>
public sealed class AccountWatchTests(AccountWatchHost host) : AccountsHostTest<AccountWatchHost>(host)
{
    [Fact]
    public async Task The_sockets_and_the_session_cache_share_one_watch_and_each_hears_a_disable_before_it_is_answered()
    {
        var session = await Api.RegisterAsync(AccountsApi.NewName());
        var services = Host.Services;

        // The cache registers the watch (a web request) and the sockets renew it (tracking a socket); a listener that
        // never registered anything hears each notice all the same, and once: one watcher per front end.
        Assert.True(await Api.IsSignedInAsync(session.Token));
        var listener = new RecordingListener();
        services.GetRequiredService<AccountWatch>().Listen(listener);
        var socket = new RecordingSocket();
        var sockets = services.GetRequiredService<AccountSockets>();
        using (await sockets.TrackAsync(session.UserId, socket))
        {
            await new AdminApi(Api.Http, AccountsHost.AdminToken).DisableAsync(session.UserId);

            // The account's grain answers a disable only after every watching front end took it in.
            Assert.True(Assert.Single(listener.Changed).Disabled);
            Assert.True(Assert.Single(socket.Changed).Disabled);
            Assert.False(await Api.IsSignedInAsync(session.Token));
        }
    }

    private sealed class RecordingListener : IAccountWatch
    {
        public ConcurrentQueue<UserRecord> Changed { get; } = new();

        public Task UserChanged(UserRecord user)
        {
            Changed.Enqueue(user);
            return Task.CompletedTask;
        }

        public Task FamilyRevoked(string userId, string familyId) => Task.CompletedTask;

        public Task SessionEnded(string userId, string sessionId) => Task.CompletedTask;

        public Task WatchEnded(string userId) => Task.CompletedTask;
    }

    private sealed class RecordingSocket : IAccountSocket
    {
        public ConcurrentQueue<UserRecord> Changed { get; } = new();

        public string? FamilyId => null;

        public void OnAccountChanged(UserRecord user) => Changed.Enqueue(user);

        public void OnSignInEnded()
        {
        }
    }
}
