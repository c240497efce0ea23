using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace OrbitGrains.Tests.Accounts;

/// <summary>`GET /auth/sessions`, `DELETE /auth/sessions/{id}`, `POST /auth/sessions/revoke-others`: a person's own web sign-ins.</summary>
public sealed class MySessionsTests(AccountsHost host) : AccountsHostTest<AccountsHost>(host)
{
    [Fact]
    public async Task A_person_lists_their_sign_ins_and_ends_one_of_them()
    {
        var name = AccountsApi.NewName("mine");
        var first = await Api.RegisterAsync(name);
        var second = await Api.LoginAsync(name);
        var third = await Api.LoginAsync(name);

        var listed = await ListAsync(first.Token);
        Assert.Equal(3, listed.Count);
        Assert.Single(listed, s => (bool)s["current"]!);
        var current = listed.Single(s => (bool)s["current"]!);
        Assert.Equal(current["id"]!.ToJsonString(), (await ListAsync(first.Token)).Single(s => (bool)s["current"]!)["id"]!.ToJsonString());
        Assert.DoesNotContain(listed, s => ((string)s["id"]!).Length != 16);

        // A refresh is the same sign-in, used again: still three, the refreshed one now the most recently used.
        var refreshed = await AccountsApi.ExpectJsonAsync(await Api.RefreshAsync(second.RefreshToken), HttpStatusCode.OK);
        var afterRefresh = await ListAsync(first.Token);
        Assert.Equal(3, afterRefresh.Count);
        var secondId = (string)(await ListAsync((string)refreshed["token"]!)).Single(s => (bool)s["current"]!)["id"]!;
        Assert.Equal(secondId, (string)afterRefresh[0]["id"]!);

        var thirdId = (string)(await ListAsync(third.Token)).Single(s => (bool)s["current"]!)["id"]!;
        var ended = await Api.SendAsync(HttpMethod.Delete, $"/auth/sessions/{thirdId}", null, first.Token);
        Assert.Equal(HttpStatusCode.NoContent, ended.StatusCode);
        Assert.False(await Api.IsSignedInAsync(third.Token));
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.RefreshAsync(third.RefreshToken)).StatusCode);
        Assert.True(await Api.IsSignedInAsync(first.Token));
        Assert.True(await Api.IsSignedInAsync((string)refreshed["token"]!));
        Assert.Equal(2, (await ListAsync(first.Token)).Count);

        // Ending it again: it is no longer one of mine.
        await AccountsApi.ExpectErrorAsync(await Api.SendAsync(HttpMethod.Delete, $"/auth/sessions/{thirdId}", null, first.Token), HttpStatusCode.NotFound, "No such session.");
    }

    [Fact]
    public async Task Signing_out_the_others_ends_every_other_sign_in_and_keeps_this_one()
    {
        var name = AccountsApi.NewName("others");
        var keep = await Api.RegisterAsync(name);
        var others = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Api.LoginAsync(name)));
        var stranger = await Api.RegisterAsync(AccountsApi.NewName("stranger"));

        var answer = await AccountsApi.ExpectJsonAsync(await Api.PostJsonAsync("/auth/sessions/revoke-others", null, keep.Token), HttpStatusCode.OK);
        Assert.Equal(4, (int)answer["ended"]!);
        foreach (var other in others)
        {
            Assert.False(await Api.IsSignedInAsync(other.Token));
            Assert.Equal(HttpStatusCode.Unauthorized, (await Api.RefreshAsync(other.RefreshToken)).StatusCode);
        }

        Assert.True(await Api.IsSignedInAsync(keep.Token));
        Assert.True(await Api.IsSignedInAsync(stranger.Token));
        var left = Assert.Single(await ListAsync(keep.Token));
        Assert.True((bool)left["current"]!);
        Assert.Equal(0, (int)(await AccountsApi.ExpectJsonAsync(await Api.PostJsonAsync("/auth/sessions/revoke-others", null, keep.Token), HttpStatusCode.OK))["ended"]!);

        // The kept sign-in refreshes as before.
        await AccountsApi.ExpectJsonAsync(await Api.RefreshAsync(keep.RefreshToken), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Another_persons_sign_in_is_unknown_and_stays_signed_in()
    {
        var owner = await Api.RegisterAsync(AccountsApi.NewName("owner"));
        var intruder = await Api.RegisterAsync(AccountsApi.NewName("intruder"));
        var ownerId = (string)(await ListAsync(owner.Token)).Single()["id"]!;

        await AccountsApi.ExpectErrorAsync(await Api.SendAsync(HttpMethod.Delete, $"/auth/sessions/{ownerId}", null, intruder.Token), HttpStatusCode.NotFound, "No such session.");
        Assert.True(await Api.IsSignedInAsync(owner.Token));
        Assert.DoesNotContain(await ListAsync(intruder.Token), s => (string)s["id"]! == ownerId);

        foreach (var bad in new[] { "0000000000000000", new string('a', 5000), "%00", "..%2F..%2Fsession", "x'or'1'='1" })
        {
            var response = await Api.SendAsync(HttpMethod.Delete, $"/auth/sessions/{bad}", null, intruder.Token);
            Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, $"{bad[..Math.Min(bad.Length, 20)]}: {(int)response.StatusCode}");
        }

        Assert.True(await Api.IsSignedInAsync(owner.Token));
        Assert.True(await Api.IsSignedInAsync(intruder.Token));
        Assert.Single(await ListAsync(owner.Token));
    }

    [Fact]
    public async Task Sign_ins_of_other_credentials_are_refused_and_signed_out_sign_ins_are_not_listed()
    {
        var name = AccountsApi.NewName("creds");
        var person = await Api.RegisterAsync(name);
        var gone = await Api.LoginAsync(name);
        await Api.LogoutAsync(gone.Token);
        Assert.Single(await ListAsync(person.Token));

        await AccountsApi.ExpectErrorAsync(await Api.SendAsync(HttpMethod.Get, "/auth/sessions", null, null), HttpStatusCode.Unauthorized, "Unauthorised");
        await AccountsApi.ExpectErrorAsync(await Api.SendAsync(HttpMethod.Get, "/auth/sessions", null, gone.Token), HttpStatusCode.Unauthorized, "Unauthorised");
        await AccountsApi.ExpectErrorAsync(await Api.PostJsonAsync("/auth/sessions/revoke-others", null, person.RefreshToken), HttpStatusCode.Unauthorized, "Unauthorised");
        var userToken = (string)(await AccountsApi.ExpectJsonAsync(await Api.PostJsonAsync("/auth/user-token", new { }, person.Token), HttpStatusCode.Created))["userToken"]!;
        var withUserToken = await Api.PostJsonAsync("/auth/sessions/revoke-others", null, userToken);
        Assert.True(withUserToken.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, $"{(int)withUserToken.StatusCode}");
        Assert.True(await Api.IsSignedInAsync(person.Token));
    }

    [Fact]
    public async Task A_sign_in_is_listed_with_its_user_agent_cut_and_cleaned()
    {
        var name = AccountsApi.NewName("agent");
        var person = await Api.RegisterAsync(name);
        using var login = new HttpRequestMessage(HttpMethod.Post, "/auth/login/basic") { Content = JsonContent.Create(new { username = name }) };
        login.Headers.TryAddWithoutValidation("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Chromium/140.0 " + new string('x', 400));
        var other = Session.From(await AccountsApi.ExpectJsonAsync(await Api.Http.SendAsync(login), HttpStatusCode.OK));

        var listed = await ListAsync(person.Token);
        var agent = (string)listed.Single(s => s["userAgent"] is not null)["userAgent"]!;
        Assert.StartsWith("Mozilla/5.0 (X11; Linux x86_64) Chromium/140.0 xxx", agent);
        Assert.Equal(256, agent.Length);
        Assert.Null(listed.Single(s => (bool)s["current"]!)["userAgent"]);
        Assert.True(await Api.IsSignedInAsync(other.Token));
    }

    private async Task<List<JsonObject>> ListAsync(string token) =>
        (await AccountsApi.ExpectJsonAsync(await Api.SendAsync(HttpMethod.Get, "/auth/sessions", null, token), HttpStatusCode.OK))["sessions"]!
            .AsArray().Select(s => s!.AsObject()).ToList();
}
