using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace OrbitGrains.Tests.Hosting;

/// <summary>
/// Request bodies through the one reader, with the exact inputs that used to answer 500: keys that collided in the
/// stores, braces, lone surrogates, invalid UTF-8, a quoted charset, chunked bodies over the limit, form edge cases.
/// Each answer is a clear 4xx in the family's shape (or success), and nothing is stored on a refusal.
/// </summary>
[Collection(InputHostCollection.Name)]
public sealed class RequestBodyTests(InputHostFixture fixture)
{
    [Fact]
    public async Task Names_that_shared_a_row_in_the_store_are_distinct_accounts()
    {
        // This host's store is fresh, so the report's own names can be used: "cafe" and "0cafe" (a hexadecimal
        // number once), "020235" and "20235" (the same number). "CAFE" is no longer among them: names are unique
        // case-insensitively, so it is refused as taken (BasicAuthTests) rather than given a row of its own.
        string[] names = ["cafe", "0cafe", "020235", "20235"];
        var ids = new List<string>();
        foreach (var name in names)
        {
            using var registered = await fixture.SendAsync(HttpMethod.Post, "/auth/register/basic", $$"""{"name":"{{name}}","password":"password-{{name}}"}""");
            Assert.Equal(HttpStatusCode.OK, registered.StatusCode);
            ids.Add((string)(await registered.Content.ReadFromJsonAsync<JsonObject>())!["user"]!["id"]!);
        }

        Assert.Equal(names.Length, ids.Distinct().Count());
        for (var i = 0; i < names.Length; i++)
        {
            using var login = await fixture.SendAsync(HttpMethod.Post, "/auth/login/basic", $$"""{"username":"{{names[i]}}","password":"password-{{names[i]}}"}""");
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
            Assert.Equal(ids[i], (string)(await login.Content.ReadFromJsonAsync<JsonObject>())!["user"]!["id"]!);
        }
    }

    [Fact]
    public async Task Braces_in_an_email_and_in_a_name_are_accepted_and_sign_in_again()
    {
        var email = "a{b}@example.com";
        using (var signup = await fixture.SendAsync(HttpMethod.Post, "/api/auth/signup", $$"""{"email":"{{email}}","password":"password-123"}"""))
        {
            Assert.Equal(HttpStatusCode.Created, signup.StatusCode);
        }

        using (var login = await fixture.SendAsync(HttpMethod.Post, "/api/auth/login", $$"""{"email":"{{email}}","password":"password-123"}"""))
        {
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        }

        var name = "team{1}";
        using (var register = await fixture.SendAsync(HttpMethod.Post, "/auth/register/basic", $$"""{"name":"{{name}}"}"""))
        {
            Assert.Equal(HttpStatusCode.OK, register.StatusCode);
        }

        using var again = await fixture.SendAsync(HttpMethod.Post, "/auth/login/basic", $$"""{"username":"{{name}}"}""");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    public static TheoryData<string, string> AnonymousRoutes => new()
    {
        { "/auth/register/basic", """{"name":"x\ud800"}""" },
        { "/auth/login/basic", """{"username":"x\ud800"}""" },
        { "/auth/refresh", """{"refreshToken":"x\ud800"}""" },
        { "/auth/device/token", """{"deviceCode":"x\ud800"}""" },
        { "/auth/device/refresh", """{"refreshToken":"x\udfff"}""" },
        { "/auth/register/verify", """{"credential":{"id":"\ud800","response":{}}}""" },
        { "/auth/login/verify", """{"credential":{"id":"a","response":{"clientDataJSON":"\udbff"}}}""" },
        { "/api/auth/signup", """{"email":"x\ud800@example.com","password":"password-123"}""" },
        { "/api/auth/login", """{"email":"a@example.com","password":"\ud800\ud800"}""" },
        { "/api/auth/refresh", """{"refresh_token":"\ud800"}""" },
        { "/v1/auth/signup", """{"email":"x@example.com","password":"pass\ud800word"}""" },
        { "/v1/auth/login", """{"email":"\udc00","password":"password-123"}""" },
    };

    [Theory]
    [MemberData(nameof(AnonymousRoutes))]
    public async Task A_lone_surrogate_is_a_clear_400_on_every_anonymous_route(string path, string body)
    {
        using var response = await fixture.SendAsync(HttpMethod.Post, path, body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not valid Unicode", await MessageAsync(response));
    }

    [Fact]
    public async Task A_name_with_a_lone_surrogate_is_not_registered()
    {
        var name = $"ghost-{Guid.NewGuid():N}"[..16];
        using (var refused = await fixture.SendAsync(HttpMethod.Post, "/auth/register/basic", $$"""{"name":"{{name}}\ud800"}""")) { }
        using var login = await fixture.SendAsync(HttpMethod.Post, "/auth/login/basic", $$"""{"username":"{{name}}\ufffd"}""");
        Assert.Equal("Invalid credentials.", await MessageAsync(login));
    }

    [Fact]
    public async Task Bytes_that_are_not_utf8_are_a_clear_400()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/signup")
        {
            Content = new ByteArrayContent([.. "{\"email\":\"a"u8, 0xC3, 0x28, .. "@example.com\",\"password\":\"password-123\"}"u8]),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await fixture.Host.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("UTF-8", await MessageAsync(response));
    }

    [Fact]
    public async Task A_job_whose_meta_has_a_lone_surrogate_is_refused_stores_nothing_and_the_list_keeps_working()
    {
        var before = await JobCountAsync();
        using var create = await fixture.SendAsync(HttpMethod.Post, "/api/v1/jobs",
            """{"slug":"surrogate","intent":"x","meta":{"m":"\ud800"}}""", InputHostFixture.AdminToken);
        Assert.Equal(HttpStatusCode.BadRequest, create.StatusCode);
        Assert.Contains("not valid Unicode", await MessageAsync(create));
        Assert.Equal(before, await JobCountAsync());
    }

    [Theory]
    [InlineData("/api/login", """{"role":"viewer"}""", HttpStatusCode.OK)]
    [InlineData("/api/session", """{"name":"charset room"}""", HttpStatusCode.Created)]
    public async Task A_quoted_utf8_charset_is_json(string path, string body, HttpStatusCode expected)
    {
        using var response = await fixture.SendAsync(HttpMethod.Post, path, body, InputHostFixture.RoomsToken, "application/json; charset=\"utf-8\"");
        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Another_charset_is_415()
    {
        using var response = await fixture.SendAsync(HttpMethod.Post, "/api/session", """{"name":"x"}""", InputHostFixture.RoomsToken, "application/json; charset=utf-16");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Theory]
    [InlineData("/auth/register/basic", null)]
    [InlineData("/api/admin/rooms/{0}/estop", InputHostFixture.AdminToken)]
    [InlineData("/api/v1/jobs", InputHostFixture.AdminToken)]
    public async Task A_chunked_body_over_the_limit_is_413(string path, string? bearer)
    {
        var session = Guid.NewGuid().ToString("N");
        using var request = new HttpRequestMessage(HttpMethod.Post, string.Format(path, session))
        {
            Content = new StreamContent(new EndlessJson(5 * 1024 * 1024)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TransferEncodingChunked = true;
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        using var response = await fixture.Host.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Theory]
    [InlineData("/auth/register/basic", null)]
    [InlineData("/api/v1/jobs", InputHostFixture.AdminToken)]
    public async Task A_chunk_size_that_overflows_is_400_and_no_error_is_logged(string path, string? bearer)
    {
        // Kestrel reports a chunk size past 64 bits as an IOException, not as the BadHttpRequestException of other
        // malformed bodies; the body reader must refuse it as well.
        using var client = new TcpClient();
        await client.ConnectAsync(fixture.Host.BaseAddress.Host, fixture.Host.BaseAddress.Port);
        var authorization = bearer is null ? "" : $"Authorization: Bearer {bearer}\r\n";
        var request = $"POST {path} HTTP/1.1\r\nHost: localhost\r\n{authorization}Content-Type: application/json\r\n" +
            "Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFF\r\n{}\r\n0\r\n\r\n";
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var statusLine = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.StartsWith("HTTP/1.1 400", statusLine);
        Assert.DoesNotContain(fixture.Log.Errors, e => e.Exception?.ToString().Contains("chunk size", StringComparison.OrdinalIgnoreCase) == true);
    }

    [Fact]
    public async Task A_refusal_by_the_server_itself_keeps_its_4xx_through_the_last_line()
    {
        using var response = await fixture.Host.Http.GetAsync(CapturingStartup.TooLargePath);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_exception_that_escapes_a_handler_is_a_problem_500_with_a_trace_id_logged_once_without_the_body()
    {
        var marker = $"secret-body-{Guid.NewGuid():N}";
        using var request = new HttpRequestMessage(HttpMethod.Get, CapturingStartup.ThrowPath) { Content = new StringContent($$"""{"password":"{{marker}}"}""") };
        using var response = await fixture.Host.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.False(string.IsNullOrEmpty((string?)problem["traceId"]));
        Assert.False(string.IsNullOrEmpty((string?)problem["detail"]));
        Assert.Equal((string?)problem["detail"], (string?)problem["error"]);

        Assert.Single(fixture.Log.Errors, e => e.Exception?.Message == "a handler failed");
        Assert.DoesNotContain(fixture.Log.Entries, e => e.Message.Contains(marker) || e.Exception?.ToString().Contains(marker) == true);
    }

    [Theory]
    [InlineData("token=%00", "application/x-www-form-urlencoded", HttpStatusCode.Unauthorized)]
    [InlineData("--x\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\nabc\r\n--x--", "multipart/form-data; boundary=", HttpStatusCode.UnsupportedMediaType)]
    [InlineData("token=%FF%FE", "application/x-www-form-urlencoded", HttpStatusCode.Unauthorized)]
    public async Task Admin_login_form_edge_cases_are_4xx(string body, string contentType, HttpStatusCode expected)
    {
        using var response = await fixture.SendAsync(HttpMethod.Post, "/admin/login", body, contentType: contentType);
        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task An_admin_login_form_with_too_many_fields_is_4xx()
    {
        var manyFields = string.Join('&', Enumerable.Range(0, 1100).Select(i => $"f{i}=1"));
        using var huge = await fixture.SendAsync(HttpMethod.Post, "/admin/login", manyFields, contentType: "application/x-www-form-urlencoded");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);

        var someFields = string.Join('&', Enumerable.Range(0, 40).Select(i => $"f{i}=1"));
        using var many = await fixture.SendAsync(HttpMethod.Post, "/admin/login", someFields, contentType: "application/x-www-form-urlencoded");
        Assert.Equal(HttpStatusCode.BadRequest, many.StatusCode);
    }

    [Theory]
    [InlineData("/dashboard/SiloStats/notasilo")]
    [InlineData("/dashboard/SiloProperties/127.0.0.1:1:1")]
    [InlineData("/dashboard/SiloCounters/%7B%7D")]
    [InlineData("/dashboard/HistoricalStats/x")]
    public async Task Dashboard_routes_given_a_non_silo_address_are_404(string path)
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, path, null, InputHostFixture.AdminToken);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private async Task<int> JobCountAsync()
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, "/api/v1/jobs?limit=1", null, InputHostFixture.AdminToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return int.Parse(response.Headers.GetValues("X-Total-Count").Single());
    }

    private static async Task<string> MessageAsync(HttpResponseMessage response)
    {
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        return (string?)body["error"] ?? (string?)body["detail"] ?? "";
    }

    /// <summary>A JSON object that never ends within <paramref name="bytes"/>: {"name":"xxxx...</summary>
    private sealed class EndlessJson(long bytes) : Stream
    {
        private long _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, bytes - _position);
            for (var i = 0; i < n; i++)
            {
                buffer[offset + i] = _position + i < 9 ? (byte)"{\"name\":\""[(int)(_position + i)] : (byte)'x';
            }

            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
