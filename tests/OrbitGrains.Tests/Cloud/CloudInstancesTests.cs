using System.Net;
using System.Text.Json.Nodes;
using OrbitGrains.Tests.Accounts;

namespace OrbitGrains.Tests.Cloud;

public sealed class CloudInstancesTests(CloudHost host) : IClassFixture<CloudHost>
{
    private CloudApi Api => host.Api;
    private FakeEc2 Ec2 => host.Ec2;

    [Fact]
    public async Task An_instance_launches_stops_starts_and_terminates_through_its_own_states()
    {
        var user = await Api.SignUpAsync();
        var created = await Api.CreateAsync(user, new { name = "desk", instance_type = "t3.medium" });
        var id = (string)created["id"]!;
        Assert.Equal("desk", (string?)created["name"]);
        Assert.Equal(5900, (int)created["vnc_port"]!);
        Assert.Equal(18789, (int)created["cloudbot_port"]!);
        Assert.StartsWith("i-", (string?)created["ec2_instance_id"]);
        Assert.Contains((string)created["status"]!, new[] { "launching", "running" });
        Assert.NotNull(created["created_at"]);

        await Eventually.TrueAsync(async () => await Api.StatusAsync(user, id) == "running", "the instance runs", TimeSpan.FromSeconds(60));
        var running = await Api.GetAsync(user, id);
        Assert.Equal("127.0.0.1", (string?)running["public_ip"]);
        // Its cost is counted from when it reached running, which the server keeps (null in any other state).
        var runningSince = DateTimeOffset.Parse((string)running["running_since"]!);
        Assert.True(runningSince >= DateTimeOffset.Parse((string)created["created_at"]!));

        // Each state change is on the owner's live feed, in the product's own state names.
        var userId = (string)(await AccountsApi.ExpectJsonAsync(await Api.SendAsync(HttpMethod.Get, "/auth/session", bearer: user), HttpStatusCode.OK))["user"]!["id"]!;
        var feed = host.Host.Grains.GetGrain<OrbitGrains.Feeds.IUserFeedGrain>(userId);
        await Eventually.TrueAsync(async () => (await feed.After(0, 100)).Events.Any(e => e.Type == "instance" && e.Data.Contains("\"status\":\"running\"") && e.Data.Contains(id)),
            "the feed says the instance runs");

        var stop = await AccountsApi.ExpectJsonAsync(await Api.SendAsync(HttpMethod.Post, $"/api/instances/{id}/stop", bearer: user), HttpStatusCode.OK);
        Assert.Equal("Instance stop initiated", (string?)stop["message"]);
        await Eventually.TrueAsync(async () => await Api.StatusAsync(user, id) == "stopped", "the instance stops", TimeSpan.FromSeconds(60));
        Assert.Equal("stopped", Ec2.Find((string)created["ec2_instance_id"]!)!.State);
        Assert.Null((await Api.GetAsync(user, id))["running_since"]);

        var start = await AccountsApi.ExpectJsonAsync(await Api.SendAsync(HttpMethod.Post, $"/api/instances/{id}/start", bearer: user), HttpStatusCode.OK);
        Assert.Equal("Instance start initiated", (string?)start["message"]);
        await Eventually.TrueAsync(async () => await Api.StatusAsync(user, id) == "running", "the instance runs again", TimeSpan.FromSeconds(60));
        Assert.True(DateTimeOffset.Parse((string)(await Api.GetAsync(user, id))["running_since"]!) >= runningSince);

        using (var deleted = await Api.SendAsync(HttpMethod.Delete, $"/api/instances/{id}", bearer: user))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        Assert.Empty(await Api.ListAsync(user));
        await Eventually.TrueAsync(() => Ec2.Find((string)created["ec2_instance_id"]!)!.State == "terminated", "EC2 terminates it", TimeSpan.FromSeconds(60));
        foreach (var status in new[] { "launching", "running", "stopping", "stopped", "terminated", "failed" })
        {
            Assert.DoesNotContain("pending", status);
        }
    }

    [Fact]
    public async Task RunInstances_gets_the_deployment_settings_a_client_token_a_20_GB_gp3_volume_tags_and_per_instance_secrets()
    {
        var user = await Api.SignUpAsync();
        var first = await Api.CreateAsync(user, new { api_keys = new { anthropic = "sk-ant-first-key-value" } });
        var second = await Api.CreateAsync(user, new { });
        var runs = Ec2.Calls.Where(c => c.Action == "RunInstances").Select(c => c.Form).ToList();
        var form = runs.Single(f => f["ClientToken"] == (string)first["id"]!);
        Assert.Equal("ami-0123456789abcdef0", form["ImageId"]);
        Assert.Equal("t3.large", form["InstanceType"]);
        Assert.Equal("cloud-test", form["KeyName"]);
        Assert.Equal("subnet-0123456789abcdef0", form["SubnetId"]);
        Assert.Equal("sg-0123456789abcdef0", form["SecurityGroupId.1"]);
        Assert.Equal("20", form["BlockDeviceMapping.1.Ebs.VolumeSize"]);
        Assert.Equal("gp3", form["BlockDeviceMapping.1.Ebs.VolumeType"]);
        Assert.Equal("1", form["MinCount"]);
        Assert.Equal("1", form["MaxCount"]);

        var launched = Ec2.Find((string)first["ec2_instance_id"]!)!;
        Assert.Equal("Instance 1", launched.Tags["Name"]);
        Assert.Equal($"orbitgrains:{host.ServiceId}", launched.Tags["ManagedBy"]);
        Assert.False(string.IsNullOrEmpty(launched.Tags["User"]));
        Assert.Equal("Instance 2", (string?)second["name"]);

        var other = Ec2.Find((string)second["ec2_instance_id"]!)!;
        Assert.Contains("export ANTHROPIC_API_KEY='sk-ant-first-key-value'", launched.UserData);
        Assert.DoesNotContain("sk-ant-first-key-value", other.UserData);
        Assert.Contains("vncpasswd", launched.UserData);
        var token = Secret(launched.UserData!, "CLOUDBOT_GATEWAY_TOKEN=");
        Assert.Equal(64, token.Length);
        Assert.NotEqual(token, Secret(other.UserData!, "CLOUDBOT_GATEWAY_TOKEN="));
    }

    [Fact]
    public async Task Ten_concurrent_creates_make_exactly_the_quota_of_instances()
    {
        var user = await Api.SignUpAsync();
        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Api.PostAsync("/api/instances", new { }, user)));
        Assert.Equal(2, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            await CloudApi.ExpectDetailAsync(refused, HttpStatusCode.BadRequest, "Maximum 2 active instances allowed");
        }

        Assert.Equal(2, (await Api.ListAsync(user)).Count);
        // The list says the quota too (not in the original contract), so a client can show it before a create is refused.
        var list = await AccountsApi.ExpectJsonAsync(await Api.SendAsync(HttpMethod.Get, "/api/instances", bearer: user), HttpStatusCode.OK);
        Assert.Equal(2, (int)list["max_instances"]!);
        var userTag = Ec2.Find((string)(await Api.ListAsync(user))[0]!["ec2_instance_id"]!)!.Tags["User"];
        Assert.Equal(2, Ec2.Instances.Count(i => i.Tags.GetValueOrDefault("User") == userTag));
    }

    [Fact]
    public async Task A_retried_create_with_the_same_client_token_makes_one_instance()
    {
        var user = await Api.SignUpAsync();
        var token = Guid.NewGuid().ToString("N");
        var responses = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Api.PostAsync("/api/instances", new { client_token = token }, user)));
        var ids = new HashSet<string>();
        foreach (var response in responses)
        {
            ids.Add((string)(await AccountsApi.ExpectJsonAsync(response, HttpStatusCode.Created))["id"]!);
        }

        Assert.Single(ids);
        Assert.Single(await Api.ListAsync(user));
        Assert.Single(Ec2.Calls.Where(c => c.Action == "RunInstances" && c.Form["ClientToken"] == ids.Single()).Select(c => c.Form["ClientToken"]).Distinct());
        Assert.Single(Ec2.Instances, i => i.Tags.GetValueOrDefault("OrbitInstanceId") == ids.Single());
    }

    [Fact]
    public async Task A_throttled_EC2_is_retried_until_the_instance_runs()
    {
        var user = await Api.SignUpAsync();
        var before = Ec2.Calls.Count;
        Ec2.Throttle(3);
        var created = await Api.CreateAsync(user, new { });
        await Eventually.TrueAsync(async () => await Api.StatusAsync(user, (string)created["id"]!) == "running", "the instance runs", TimeSpan.FromSeconds(90));
        Assert.True(Ec2.Calls.Count - before >= 4, "the throttled calls were repeated");
    }

    [Fact]
    public async Task Start_counts_towards_the_quota()
    {
        var user = await Api.SignUpAsync();
        var a = (string)(await Api.CreateAsync(user))["id"]!;
        await Api.CreateAsync(user);
        (await Api.SendAsync(HttpMethod.Post, $"/api/instances/{a}/stop", bearer: user)).Dispose();
        await Eventually.TrueAsync(async () => await Api.StatusAsync(user, a) == "stopped", "the instance stops", TimeSpan.FromSeconds(60));
        await Api.CreateAsync(user);
        await CloudApi.ExpectDetailAsync(await Api.SendAsync(HttpMethod.Post, $"/api/instances/{a}/start", bearer: user),
            HttpStatusCode.BadRequest, "Maximum 2 active instances allowed");
        Assert.Equal("stopped", await Api.StatusAsync(user, a));
    }

    [Fact]
    public async Task Malformed_oversized_unauthorised_and_cross_user_requests_are_refused_and_change_nothing()
    {
        var owner = await Api.SignUpAsync();
        var stranger = await Api.SignUpAsync();
        var id = (string)(await Api.CreateAsync(owner))["id"]!;
        await Eventually.TrueAsync(async () => await Api.StatusAsync(owner, id) == "running", "the instance runs", TimeSpan.FromSeconds(60));
        var instances = Ec2.Instances.Count;

        await CloudApi.ExpectDetailAsync(await Api.SendAsync(HttpMethod.Post, "/api/instances", "{\"instance_type\":\"m5.huge\"}", owner),
            HttpStatusCode.UnprocessableEntity, "instance_type must be one of: t3.medium, t3.large, t3.xlarge");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await Api.SendAsync(HttpMethod.Post, "/api/instances", "{\"name\":42}", owner)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Api.SendAsync(HttpMethod.Post, "/api/instances", "{\"name\":", owner)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Api.SendAsync(HttpMethod.Post, "/api/instances", "{\"name\":\"a\",\"name\":\"b\"}", owner)).StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge,
            (await Api.SendAsync(HttpMethod.Post, "/api/instances", $"{{\"name\":\"{new string('x', 20_000)}\"}}", owner)).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity,
            (await Api.SendAsync(HttpMethod.Post, "/api/instances", $"{{\"name\":\"{new string('x', 101)}\"}}", owner)).StatusCode);
        await CloudApi.ExpectDetailAsync(await Api.PostAsync("/api/instances", new { api_keys = new { mistral = "k-123" } }, owner),
            HttpStatusCode.BadRequest, "Provider must be one of: anthropic, openai, google");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await Api.PostAsync("/api/instances", new { client_token = new string('t', 65) }, owner)).StatusCode);

        await CloudApi.ExpectDetailAsync(await Api.SendAsync(HttpMethod.Get, "/api/instances/not-an-id", bearer: owner), HttpStatusCode.BadRequest, "Invalid instance ID");
        await CloudApi.ExpectDetailAsync(await Api.SendAsync(HttpMethod.Get, $"/api/instances/{Guid.NewGuid():N}", bearer: owner), HttpStatusCode.NotFound, "Instance not found");
        await CloudApi.ExpectDetailAsync(await Api.SendAsync(HttpMethod.Get, "/api/instances"), HttpStatusCode.Forbidden, "Not authenticated");
        await CloudApi.ExpectDetailAsync(await Api.SendAsync(HttpMethod.Post, "/api/instances", "{}"), HttpStatusCode.Forbidden, "Not authenticated");
        await CloudApi.ExpectDetailAsync(await Api.SendAsync(HttpMethod.Get, "/api/instances", bearer: "forged.jwt.token"), HttpStatusCode.Unauthorized, "Invalid or expired token");

        foreach (var (method, path) in new[] { (HttpMethod.Get, ""), (HttpMethod.Post, "/stop"), (HttpMethod.Post, "/start"), (HttpMethod.Delete, "") })
        {
            await CloudApi.ExpectDetailAsync(await Api.SendAsync(method, $"/api/instances/{id}{path}", bearer: stranger), HttpStatusCode.NotFound, "Instance not found");
        }

        Assert.Empty(await Api.ListAsync(stranger));
        Assert.Equal("running", await Api.StatusAsync(owner, id));
        Assert.Single(await Api.ListAsync(owner));
        Assert.Equal(instances, Ec2.Instances.Count);
        Assert.DoesNotContain(Ec2.Instances, i => i.State is "stopping" or "stopped" or "shutting-down" or "terminated" && i.Tags.GetValueOrDefault("OrbitInstanceId") == id);
    }

    [Fact]
    public async Task The_owner_reads_the_instance_VNC_password_uncached_and_no_one_else_does()
    {
        var owner = await Api.SignUpAsync();
        var stranger = await Api.SignUpAsync();
        var created = await Api.CreateAsync(owner);
        var id = (string)created["id"]!;
        var other = await Api.CreateAsync(owner);

        string password;
        using (var response = await Api.SendAsync(HttpMethod.Get, $"/api/instances/{id}/vnc-password", bearer: owner))
        {
            Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
            var body = await AccountsApi.ExpectJsonAsync(response, HttpStatusCode.OK);
            Assert.Equal(["vnc_password"], body.Select(p => p.Key));
            password = (string)body["vnc_password"]!;
        }

        // The password the instance's desktop was given at boot, its own.
        Assert.Matches("^[A-Za-z0-9]{8}$", password);
        Assert.Contains($"printf '%s\\n' '{password}' | vncpasswd", Ec2.Find((string)created["ec2_instance_id"]!)!.UserData);
        var otherPassword = (string)(await AccountsApi.ExpectJsonAsync(
            await Api.SendAsync(HttpMethod.Get, $"/api/instances/{(string)other["id"]!}/vnc-password", bearer: owner), HttpStatusCode.OK))["vnc_password"]!;
        Assert.NotEqual(password, otherPassword);

        // Another user's instance does not exist for them; bad ids, missing and forged tokens are refused in the family's shape.
        await CloudApi.ExpectDetailAsync(await Api.SendAsync(HttpMethod.Get, $"/api/instances/{id}/vnc-password", bearer: stranger), HttpStatusCode.NotFound, "Instance not found");
        await CloudApi.ExpectDetailAsync(await Api.SendAsync(HttpMethod.Get, $"/api/instances/{Guid.NewGuid():N}/vnc-password", bearer: owner), HttpStatusCode.NotFound, "Instance not found");
        await CloudApi.ExpectDetailAsync(await Api.SendAsync(HttpMethod.Get, "/api/instances/NOT-AN-ID/vnc-password", bearer: owner), HttpStatusCode.BadRequest, "Invalid instance ID");
        await CloudApi.ExpectDetailAsync(await Api.SendAsync(HttpMethod.Get, $"/api/instances/{id}/vnc-password"), HttpStatusCode.Forbidden, "Not authenticated");
        await CloudApi.ExpectDetailAsync(await Api.SendAsync(HttpMethod.Get, $"/api/instances/{id}/vnc-password", bearer: "forged.jwt.token"),
            HttpStatusCode.Unauthorized, "Invalid or expired token");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await Api.SendAsync(HttpMethod.Post, $"/api/instances/{id}/vnc-password", "{}", owner)).StatusCode);

        // Only that route gives it: not the instance, not the list, not any log line.
        Assert.DoesNotContain(password, (await Api.GetAsync(owner, id)).ToJsonString());
        Assert.DoesNotContain(password, (await AccountsApi.ExpectJsonAsync(await Api.SendAsync(HttpMethod.Get, "/api/instances", bearer: owner), HttpStatusCode.OK)).ToJsonString());
        Assert.DoesNotContain(host.Log.Entries, e => e.Message.Contains(password, StringComparison.Ordinal) || e.Exception?.ToString().Contains(password, StringComparison.Ordinal) == true);

        // A deleted instance has no password to give.
        Assert.Equal(HttpStatusCode.NoContent, (await Api.SendAsync(HttpMethod.Delete, $"/api/instances/{id}", bearer: owner)).StatusCode);
        await CloudApi.ExpectDetailAsync(await Api.SendAsync(HttpMethod.Get, $"/api/instances/{id}/vnc-password", bearer: owner), HttpStatusCode.NotFound, "Instance not found");
    }

    private static string Secret(string userData, string marker)
    {
        var start = userData.IndexOf(marker, StringComparison.Ordinal) + marker.Length + 1;
        return userData[start..userData.IndexOf('\'', start)];
    }
}
