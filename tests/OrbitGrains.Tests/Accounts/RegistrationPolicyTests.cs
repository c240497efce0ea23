using System.Net;
using System.Text.Json.Nodes;

namespace OrbitGrains.Tests.Accounts;

public sealed class InviteOnlyHost : AccountsHost
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["REGISTRATION"] = "invite" };
}

/// <summary>REGISTRATION=invite: sign-ups need a single-use code an admin created.</summary>
public sealed class InviteOnlyTests(InviteOnlyHost host) : AccountsHostTest<InviteOnlyHost>(host)
{
    private AdminApi Admin => new(Api.Http, AccountsHost.AdminToken);

    [Fact]
    public async Task A_sign_up_needs_an_invite_which_works_once_and_the_policy_is_public()
    {
        var config = await AccountsApi.ExpectJsonAsync(await Api.SendAsync(HttpMethod.Get, "/auth/config", null), HttpStatusCode.OK);
        Assert.Equal("invite", (string?)config["registration"]);
        Assert.Equal("basic", (string?)config["authMode"]);

        await AccountsApi.ExpectErrorAsync(await Api.PostJsonAsync("/auth/register/basic", new { name = AccountsApi.NewName() }), HttpStatusCode.Forbidden,
            "A valid invite is required to sign up.");
        await AccountsApi.ExpectErrorAsync(await Api.PostJsonAsync("/auth/register/basic", new { name = AccountsApi.NewName(), invite = "made-up" }),
            HttpStatusCode.Forbidden, "A valid invite is required to sign up.");

        var created = await AccountsApi.ExpectJsonAsync(
            await Admin.SendAsync(HttpMethod.Post, "/api/admin/invites", new { expiresInSec = 3600, note = "for Ada" }), HttpStatusCode.Created);
        var code = (string)created["code"]!;
        var name = AccountsApi.NewName("ada");
        var session = Session.From(await AccountsApi.ExpectJsonAsync(await Api.PostJsonAsync("/auth/register/basic", new { name, invite = code }), HttpStatusCode.OK));
        Assert.True(await Api.IsSignedInAsync(session.Token));
        await AccountsApi.ExpectErrorAsync(await Api.PostJsonAsync("/auth/register/basic", new { name = AccountsApi.NewName(), invite = code }),
            HttpStatusCode.Forbidden, "A valid invite is required to sign up.");

        var list = await AccountsApi.ExpectJsonAsync(await Admin.SendAsync(HttpMethod.Get, "/api/admin/invites"), HttpStatusCode.OK);
        var listed = list["invites"]!.AsArray().Single(i => (string?)i!["id"] == (string?)created["id"])!;
        Assert.Equal("used", (string?)listed["status"]);
        Assert.Equal(session.UserId, (string?)listed["usedBy"]);
        Assert.DoesNotContain(code, list.ToJsonString());
    }

    [Fact]
    public async Task One_invite_used_by_two_sign_ups_at_once_creates_one_account()
    {
        var code = (string)(await AccountsApi.ExpectJsonAsync(await Admin.SendAsync(HttpMethod.Post, "/api/admin/invites", new { }), HttpStatusCode.Created))["code"]!;
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            using var response = i % 2 == 0
                ? await Api.PostJsonAsync("/auth/register/basic", new { name = AccountsApi.NewName($"race{i}"), invite = code })
                : await Api.PostJsonAsync("/api/auth/signup", new { email = $"{Guid.NewGuid():N}"[..10] + "@example.com", password = "long enough", invite = code });
            return response.StatusCode;
        }));
        Assert.Equal(1, answers.Count(a => a is HttpStatusCode.OK or HttpStatusCode.Created));
        Assert.Equal(7, answers.Count(a => a == HttpStatusCode.Forbidden));
    }

    [Fact]
    public async Task A_deleted_or_expired_invite_signs_nobody_up_and_a_taken_name_gives_the_invite_back()
    {
        var deleted = await AccountsApi.ExpectJsonAsync(await Admin.SendAsync(HttpMethod.Post, "/api/admin/invites", new { }), HttpStatusCode.Created);
        Assert.Equal(HttpStatusCode.NoContent, (await Admin.SendAsync(HttpMethod.Delete, $"/api/admin/invites/{(string)deleted["id"]!}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Admin.SendAsync(HttpMethod.Delete, $"/api/admin/invites/{(string)deleted["id"]!}")).StatusCode);
        await AccountsApi.ExpectErrorAsync(await Api.PostJsonAsync("/auth/register/basic", new { name = AccountsApi.NewName(), invite = (string)deleted["code"]! }),
            HttpStatusCode.Forbidden, "A valid invite is required to sign up.");

        var shortLived = (string)(await AccountsApi.ExpectJsonAsync(await Admin.SendAsync(HttpMethod.Post, "/api/admin/invites", new { expiresInSec = 60 }), HttpStatusCode.Created))["code"]!;
        Clock.Advance(TimeSpan.FromSeconds(61));
        await AccountsApi.ExpectErrorAsync(await Api.PostJsonAsync("/auth/register/basic", new { name = AccountsApi.NewName(), invite = shortLived }),
            HttpStatusCode.Forbidden, "A valid invite is required to sign up.");

        var existing = await Admin.SendAsync(HttpMethod.Post, "/api/admin/users", new { name = AccountsApi.NewName("taken") });
        var takenName = (string)(await AccountsApi.ExpectJsonAsync(existing, HttpStatusCode.Created))["name"]!;
        var code = (string)(await AccountsApi.ExpectJsonAsync(await Admin.SendAsync(HttpMethod.Post, "/api/admin/invites", new { }), HttpStatusCode.Created))["code"]!;
        await AccountsApi.ExpectErrorAsync(await Api.PostJsonAsync("/auth/register/basic", new { name = takenName, invite = code }), HttpStatusCode.BadRequest, "User already exists.");
        Assert.Equal(HttpStatusCode.OK, (await Api.PostJsonAsync("/auth/register/basic", new { name = AccountsApi.NewName(), invite = code })).StatusCode);

        foreach (var bad in new object[] { new { expiresInSec = 10 }, new { expiresInSec = 99_999_999 }, new { note = new string('n', 201) } })
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await Admin.SendAsync(HttpMethod.Post, "/api/admin/invites", bad)).StatusCode);
        }
    }
}

public sealed class ClosedRegistrationHost : AccountsHost
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["REGISTRATION"] = "closed" };
}

/// <summary>REGISTRATION=closed: only admins create accounts.</summary>
public sealed class ClosedRegistrationTests(ClosedRegistrationHost host) : AccountsHostTest<ClosedRegistrationHost>(host)
{
    [Fact]
    public async Task Every_sign_up_route_is_closed_and_an_admin_created_account_signs_in()
    {
        const string closed = "Sign-ups are closed on this server; ask an admin for an account.";
        await AccountsApi.ExpectErrorAsync(await Api.PostJsonAsync("/auth/register/basic", new { name = AccountsApi.NewName() }), HttpStatusCode.Forbidden, closed);
        foreach (var path in new[] { "/api/auth/signup", "/v1/auth/signup" })
        {
            using var refused = await Api.PostJsonAsync(path, new { email = $"{Guid.NewGuid():N}"[..10] + "@example.com", password = "long enough" });
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal(closed, (string?)(await AccountsApi.ExpectJsonAsync(refused, HttpStatusCode.Forbidden))["detail"]);
        }

        Assert.Equal("closed", (string?)(await AccountsApi.ExpectJsonAsync(await Api.SendAsync(HttpMethod.Get, "/auth/config", null), HttpStatusCode.OK))["registration"]);
        var name = AccountsApi.NewName("staff");
        await AccountsApi.ExpectJsonAsync(await new AdminApi(Api.Http, AccountsHost.AdminToken).SendAsync(
            HttpMethod.Post, "/api/admin/users", new { name, password = "given by the admin" }), HttpStatusCode.Created);
        Assert.True(await Api.IsSignedInAsync((await Api.LoginAsync(name, "given by the admin")).Token));
    }
}
