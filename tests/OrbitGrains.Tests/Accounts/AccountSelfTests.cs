using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace OrbitGrains.Tests.Accounts;

/// <summary>`GET /auth/passkeys`, `POST` and `DELETE /auth/user-token`: a signed-in person's own passkeys and user token.</summary>
public sealed class AccountSelfTests(AccountsHost host) : AccountsHostTest<AccountsHost>(host)
{
    [Fact]
    public async Task A_person_issues_rotates_and_revokes_their_own_user_token()
    {
        var person = await Api.RegisterAsync(AccountsApi.NewName("self"));
        var first = await AccountsApi.ExpectJsonAsync(await Api.PostJsonAsync("/auth/user-token", new { }, person.Token), HttpStatusCode.Created);
        var firstToken = (string)first["userToken"]!;
        Assert.Equal(person.UserId, (string?)first["userId"]);
        Assert.Null(first["rotatedAt"]?.GetValue<DateTimeOffset?>());
        Assert.Equal(HttpStatusCode.OK, await TurnAsync(firstToken));

        var second = await AccountsApi.ExpectJsonAsync(await Api.PostJsonAsync("/auth/user-token", new { }, person.Token), HttpStatusCode.Created);
        var secondToken = (string)second["userToken"]!;
        Assert.NotEqual(firstToken, secondToken);
        Assert.NotNull((string?)second["rotatedAt"]);
        Assert.Equal(HttpStatusCode.Unauthorized, await TurnAsync(firstToken));
        Assert.Equal(HttpStatusCode.OK, await TurnAsync(secondToken));

        var revoked = await Api.SendAsync(HttpMethod.Delete, "/auth/user-token", null, person.Token);
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await TurnAsync(secondToken));
        // Revoking again, with nothing active, is not an error.
        Assert.Equal(HttpStatusCode.NoContent, (await Api.SendAsync(HttpMethod.Delete, "/auth/user-token", null, person.Token)).StatusCode);
    }

    [Fact]
    public async Task Parallel_issues_leave_exactly_one_working_token()
    {
        var person = await Api.RegisterAsync(AccountsApi.NewName("race"));
        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Api.PostJsonAsync("/auth/user-token", new { }, person.Token)));
        var tokens = new List<string>();
        foreach (var answer in answers)
        {
            tokens.Add((string)(await AccountsApi.ExpectJsonAsync(answer, HttpStatusCode.Created))["userToken"]!);
        }

        var working = new List<string>();
        foreach (var token in tokens.Distinct())
        {
            if (await TurnAsync(token) == HttpStatusCode.OK)
            {
                working.Add(token);
            }
        }

        Assert.Equal(12, tokens.Distinct().Count());
        Assert.Single(working);
        Assert.Equal(HttpStatusCode.NoContent, (await Api.SendAsync(HttpMethod.Delete, "/auth/user-token", null, person.Token)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await TurnAsync(working[0]));
    }

    [Fact]
    public async Task Revoking_ones_own_token_leaves_another_persons_token_working()
    {
        var alice = await Api.RegisterAsync(AccountsApi.NewName("alice"));
        var bob = await Api.RegisterAsync(AccountsApi.NewName("bob"));
        var bobs = (string)(await AccountsApi.ExpectJsonAsync(await Api.PostJsonAsync("/auth/user-token", new { }, bob.Token), HttpStatusCode.Created))["userToken"]!;
        await Api.PostJsonAsync("/auth/user-token", new { }, alice.Token);

        Assert.Equal(HttpStatusCode.NoContent, (await Api.SendAsync(HttpMethod.Delete, "/auth/user-token", null, alice.Token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, await TurnAsync(bobs));
        var passkeys = await AccountsApi.ExpectJsonAsync(await Api.SendAsync(HttpMethod.Get, "/auth/passkeys", null, alice.Token), HttpStatusCode.OK);
        Assert.Empty(passkeys["passkeys"]!.AsArray());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-token")]
    [InlineData("a.b.c")]
    public async Task Without_a_live_web_session_every_route_is_401_with_the_families_error(string? bearer)
    {
        var person = await Api.RegisterAsync(AccountsApi.NewName("anon"));
        var issued = (string)(await AccountsApi.ExpectJsonAsync(await Api.PostJsonAsync("/auth/user-token", new { }, person.Token), HttpStatusCode.Created))["userToken"]!;

        foreach (var (method, path) in new[] { (HttpMethod.Get, "/auth/passkeys"), (HttpMethod.Post, "/auth/user-token"), (HttpMethod.Delete, "/auth/user-token") })
        {
            await AccountsApi.ExpectErrorAsync(await Api.SendAsync(method, path, method == HttpMethod.Post ? "{}" : null, bearer), HttpStatusCode.Unauthorized, "Unauthorised");
            // A user token is not a web session: it cannot mint or revoke user tokens.
            await AccountsApi.ExpectErrorAsync(await Api.SendAsync(method, path, method == HttpMethod.Post ? "{}" : null, issued), HttpStatusCode.Unauthorized, "Unauthorised");
        }

        Assert.Equal(HttpStatusCode.OK, await TurnAsync(issued));
    }

    [Fact]
    public async Task An_ended_session_can_no_longer_issue_a_token()
    {
        var person = await Api.RegisterAsync(AccountsApi.NewName("ended"));
        await Api.LogoutAsync(person.Token);
        await AccountsApi.ExpectErrorAsync(await Api.PostJsonAsync("/auth/user-token", new { }, person.Token), HttpStatusCode.Unauthorized, "Unauthorised");
    }

    private async Task<HttpStatusCode> TurnAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/turn");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await Api.Http.SendAsync(request);
        return response.StatusCode;
    }
}
