using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using OrbitGrains.Cloud;
using OrbitGrains.Tests.Accounts;

namespace OrbitGrains.Tests.Cloud;

public sealed class CloudApiKeysTests(CloudHost host) : IClassFixture<CloudHost>
{
    private CloudApi Api => host.Api;

    [Fact]
    public async Task Keys_are_upserted_listed_by_provider_replaced_and_removed()
    {
        var user = await Api.SignUpAsync();
        var stored = await AccountsApi.ExpectJsonAsync(await Api.PostAsync("/api/user/api-keys", new { provider = "openai", api_key = "sk-openai-1" }, user), HttpStatusCode.Created);
        Assert.Equal("openai API key stored successfully", (string?)stored["message"]);
        await AccountsApi.ExpectJsonAsync(await Api.PostAsync("/api/user/api-keys", new { provider = "anthropic", api_key = "sk-ant-1" }, user), HttpStatusCode.Created);
        await AccountsApi.ExpectJsonAsync(await Api.PostAsync("/api/user/api-keys", new { provider = "openai", api_key = "sk-openai-2" }, user), HttpStatusCode.Created);

        var listed = await AccountsApi.ExpectJsonAsync(await Api.SendAsync(HttpMethod.Get, "/api/user/api-keys", bearer: user), HttpStatusCode.OK);
        Assert.Equal(["anthropic", "openai"], listed["providers"]!.AsArray().Select(p => (string)p!));
        Assert.DoesNotContain("sk-", listed.ToJsonString());

        await AccountsApi.ExpectJsonAsync(await Api.SendAsync(HttpMethod.Put, "/api/user/api-keys/anthropic", "{\"api_key\":\"sk-ant-2\"}", user), HttpStatusCode.OK);
        await CloudApi.ExpectDetailAsync(await Api.SendAsync(HttpMethod.Put, "/api/user/api-keys/google", "{\"api_key\":\"g-1\"}", user),
            HttpStatusCode.NotFound, "No API key found for provider: google");

        // Without api_keys, an instance gets the stored keys, current values.
        var instance = await Api.CreateAsync(user);
        var userData = host.Ec2.Find((string)instance["ec2_instance_id"]!)!.UserData!;
        Assert.Contains("export ANTHROPIC_API_KEY='sk-ant-2'", userData);
        Assert.Contains("export OPENAI_API_KEY='sk-openai-2'", userData);

        Assert.Equal(HttpStatusCode.NoContent, (await Api.SendAsync(HttpMethod.Delete, "/api/user/api-keys/openai", bearer: user)).StatusCode);
        await CloudApi.ExpectDetailAsync(await Api.SendAsync(HttpMethod.Delete, "/api/user/api-keys/openai", bearer: user),
            HttpStatusCode.NotFound, "No API key found for provider: openai");
        listed = await AccountsApi.ExpectJsonAsync(await Api.SendAsync(HttpMethod.Get, "/api/user/api-keys", bearer: user), HttpStatusCode.OK);
        Assert.Equal(["anthropic"], listed["providers"]!.AsArray().Select(p => (string)p!));
    }

    [Fact]
    public async Task A_key_sent_with_the_member_names_of_the_OpenAPI_document_is_stored()
    {
        // What a client generated from /openapi/v1.json sends: the document's name for the key, not one known by heart.
        var document = JsonNode.Parse(await host.Host.Http.GetStringAsync("/openapi/v1.json"))!;
        var members = document["components"]!["schemas"]!["ApiKeyRequest"]!["properties"]!.AsObject().Select(p => p.Key);
        var keyMember = Assert.Single(members, m => m != "provider");
        var user = await Api.SignUpAsync();

        var body = new JsonObject { ["provider"] = "openai", [keyMember] = "sk-from-the-document" };
        await AccountsApi.ExpectJsonAsync(await Api.SendAsync(HttpMethod.Post, "/api/user/api-keys", body.ToJsonString(), user), HttpStatusCode.Created);
        var listed = await AccountsApi.ExpectJsonAsync(await Api.SendAsync(HttpMethod.Get, "/api/user/api-keys", bearer: user), HttpStatusCode.OK);
        Assert.Equal(["openai"], listed["providers"]!.AsArray().Select(p => (string)p!));
    }

    [Fact]
    public async Task Bad_unauthorised_and_cross_user_key_requests_are_refused_and_change_nothing()
    {
        var user = await Api.SignUpAsync();
        var other = await Api.SignUpAsync();
        await AccountsApi.ExpectJsonAsync(await Api.PostAsync("/api/user/api-keys", new { provider = "google", api_key = "g-key-1" }, user), HttpStatusCode.Created);

        await CloudApi.ExpectDetailAsync(await Api.PostAsync("/api/user/api-keys", new { provider = "mistral", api_key = "x" }, user),
            HttpStatusCode.BadRequest, "Provider must be one of: anthropic, openai, google");
        await CloudApi.ExpectDetailAsync(await Api.PostAsync("/api/user/api-keys", new { provider = "google" }, user), HttpStatusCode.UnprocessableEntity, "api_key is required");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await Api.PostAsync("/api/user/api-keys", new { provider = "google", api_key = new string('k', 513) }, user)).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await Api.PostAsync("/api/user/api-keys", new { provider = "google", api_key = "with space" }, user)).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await Api.SendAsync(HttpMethod.Post, "/api/user/api-keys", "{\"provider\":[1]}", user)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Api.SendAsync(HttpMethod.Post, "/api/user/api-keys", "[]", user)).StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge,
            (await Api.SendAsync(HttpMethod.Post, "/api/user/api-keys", $"{{\"provider\":\"google\",\"api_key\":\"{new string('k', 9000)}\"}}", user)).StatusCode);
        await CloudApi.ExpectDetailAsync(await Api.SendAsync(HttpMethod.Put, "/api/user/api-keys/mistral", "{\"api_key\":\"x\"}", user),
            HttpStatusCode.BadRequest, "Provider must be one of: anthropic, openai, google");
        await CloudApi.ExpectDetailAsync(await Api.SendAsync(HttpMethod.Get, "/api/user/api-keys"), HttpStatusCode.Forbidden, "Not authenticated");
        await CloudApi.ExpectDetailAsync(await Api.SendAsync(HttpMethod.Post, "/api/user/api-keys", "{\"provider\":\"google\",\"api_key\":\"evil\"}", "bad-token"),
            HttpStatusCode.Unauthorized, "Invalid or expired token");

        // Another user neither sees nor removes nor replaces this user's key.
        var theirs = await AccountsApi.ExpectJsonAsync(await Api.SendAsync(HttpMethod.Get, "/api/user/api-keys", bearer: other), HttpStatusCode.OK);
        Assert.Empty(theirs["providers"]!.AsArray());
        await CloudApi.ExpectDetailAsync(await Api.SendAsync(HttpMethod.Delete, "/api/user/api-keys/google", bearer: other), HttpStatusCode.NotFound, "No API key found for provider: google");
        await CloudApi.ExpectDetailAsync(await Api.SendAsync(HttpMethod.Put, "/api/user/api-keys/google", "{\"api_key\":\"evil\"}", other), HttpStatusCode.NotFound, "No API key found for provider: google");

        var instance = await Api.CreateAsync(user);
        Assert.Contains("export GOOGLE_API_KEY='g-key-1'", host.Ec2.Find((string)instance["ec2_instance_id"]!)!.UserData);
    }

    [Fact]
    public async Task The_stored_ciphertext_does_not_contain_the_key()
    {
        var user = await Api.SignUpAsync();
        var key = $"sk-plain-{Guid.NewGuid():N}";
        await AccountsApi.ExpectJsonAsync(await Api.PostAsync("/api/user/api-keys", new { provider = "anthropic", api_key = key }, user), HttpStatusCode.Created);
        var keyId = EncryptionKey.FromSecret(CloudHost.EncryptionKey).Id;

        // Everything the embedded store has on disk (database and write-ahead log).
        await Eventually.TrueAsync(() => Stored().Contains($"v1:{keyId}:"), "the ciphertext is on disk");
        Assert.DoesNotContain(key, Stored());
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(key)), Stored());
    }

    private string Stored()
    {
        var text = new StringBuilder();
        foreach (var file in Directory.GetFiles(host.DataPath, "*.db*"))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            text.Append(Encoding.Latin1.GetString(memory.ToArray()));
        }

        return text.ToString();
    }
}
