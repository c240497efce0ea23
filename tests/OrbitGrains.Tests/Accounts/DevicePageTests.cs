using System.Net;

namespace OrbitGrains.Tests.Accounts;

public sealed class DevicePageTests(AccountsHost host) : AccountsHostTest<AccountsHost>(host)
{
    [Fact]
    public async Task The_verification_url_the_anchor_is_given_serves_the_approval_page_and_its_script()
    {
        var code = await Api.DeviceCodeAsync();
        var url = new Uri((string)code["verificationUrl"]!);
        Assert.Equal("/device", url.AbsolutePath);

        var page = await Api.Http.GetAsync(url.PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<script src=\"/device.js\"", html);
        Assert.DoesNotContain("<script>", html);

        var script = await Api.Http.GetAsync("/device.js");
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        var text = await script.Content.ReadAsStringAsync();
        Assert.Contains("/auth/login/basic", text);
        Assert.Contains("/auth/device/authorise", text);
    }
}
