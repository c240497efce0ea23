using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using OrbitGrains.Tests.Accounts;

namespace OrbitGrains.Tests.WebClient;

/// <summary>How the front end serves the web client: the page at `/` and client routes, its assets' caching, and that the API's own paths are never taken over.</summary>
public sealed class WebClientServingTests(AccountsHost host) : AccountsHostTest<AccountsHost>(host)
{
    [Theory]
    [InlineData("/")]
    [InlineData("/pipeline/jobs/42")]
    [InlineData("/rooms/lab-1")]
    [InlineData("/device?user_code=ABCD-EF23")]
    [InlineData("/signin?next=%2Fdevices")]
    public async Task A_browser_gets_the_client_page_uncached_at_its_routes(string path)
    {
        using var response = await GetAsync(path, "text/html,application/xhtml+xml");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoCache, $"Cache-Control: {response.Headers.CacheControl}");
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<div id=\"app\">", html);
        Assert.DoesNotContain("<script>", html);
        // The product's strict policy holds for the page: its code and styles are files of its own origin.
        Assert.Equal("default-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Theory]
    [InlineData("/", "text/html")]
    [InlineData("/device", "*/*")]
    public async Task Head_answers_like_get(string path, string accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, path);
        request.Headers.Accept.ParseAdd(accept);
        using var response = await Api.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Without_a_browsers_accept_root_still_says_the_service_is_up_in_html()
    {
        foreach (var accept in new[] { null, "*/*", "application/json" })
        {
            using var response = await GetAsync("/", accept);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("is up", await response.Content.ReadAsStringAsync());
        }

        using var status = await GetAsync("/status", "text/html");
        Assert.Contains("is up", await status.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Hashed_assets_are_cached_for_a_year_and_a_missing_one_is_404()
    {
        using var page = await GetAsync("/", "text/html");
        var html = await page.Content.ReadAsStringAsync();
        var scripts = System.Text.RegularExpressions.Regex.Matches(html, "(?:src|href)=\"(/assets/[^\"]+)\"").Select(m => m.Groups[1].Value).ToArray();
        Assert.NotEmpty(scripts);
        foreach (var asset in scripts)
        {
            using var response = await GetAsync(asset, "*/*");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("public, max-age=31536000, immutable", response.Headers.CacheControl?.ToString());
        }

        using var missing = await GetAsync("/assets/index-missing.js", "*/*");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var missingFile = await GetAsync("/favicon.ico", "text/html");
        Assert.Equal(HttpStatusCode.NotFound, missingFile.StatusCode);
    }

    [Theory]
    [InlineData("/api/no-such-route")]
    [InlineData("/auth/no-such-route")]
    [InlineData("/v1/no-such-route")]
    [InlineData("/ws/no-such-socket")]
    [InlineData("/relay/no-such-route")]
    [InlineData("/openapi/no-such-document")]
    [InlineData("/admin/login/nothing")]
    public async Task The_apis_own_paths_never_fall_back_to_the_page(string path)
    {
        using var response = await GetAsync(path, "text/html");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("id=\"app\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Existing_pages_and_documents_keep_their_routes()
    {
        using var openApi = await GetAsync("/openapi/v1.json", "text/html");
        Assert.Equal("application/json", openApi.Content.Headers.ContentType?.MediaType);
        using var login = await GetAsync("/admin/login", "text/html");
        Assert.Contains("Admin token", await login.Content.ReadAsStringAsync());
        using var health = await GetAsync("/health", "text/html");
        Assert.Equal("ok", (string?)JsonNode.Parse(await health.Content.ReadAsStringAsync())!["status"]);
    }

    [Fact]
    public async Task Only_a_browsers_reads_fall_back_to_the_page()
    {
        using var post = await Api.Http.PostAsync("/pipeline/jobs/42", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.DoesNotContain("id=\"app\"", await post.Content.ReadAsStringAsync());

        using var json = await GetAsync("/pipeline/jobs/42", "application/json");
        Assert.Equal(HttpStatusCode.NotFound, json.StatusCode);
        Assert.Equal("application/problem+json", json.Content.Headers.ContentType?.MediaType);
    }

    private async Task<HttpResponseMessage> GetAsync(string path, string? accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }

        return await Api.Http.SendAsync(request);
    }
}
