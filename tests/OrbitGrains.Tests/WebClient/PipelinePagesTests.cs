using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OrbitGrains.Tests.WebClient;

/// <summary>The pipeline console as an operator uses it.</summary>
public sealed class PipelinePagesTests(WebClientHost host) : WebClientTest<WebClientHost>(host)
{
    [Fact]
    public async Task A_created_job_reaches_the_script_gate_and_moves_on_once_approved()
    {
        var page = await Product.SignedInPageAsync(Product.Admin, "/pipeline");
        await Expect(Heading(page, "Pipeline")).ToBeVisibleAsync();
        var slug = $"job-{Guid.NewGuid():N}"[..16];
        await page.GetByLabel("Slug").FillAsync(slug);
        await page.GetByLabel("Intent").FillAsync("Explain grains in one minute");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create job" }).ClickAsync();

        await Expect(Heading(page, slug)).ToBeVisibleAsync();
        Assert.Matches("/pipeline/jobs/[^/]+$", page.Url);
        var stage = page.GetByTestId("job-stage");
        var status = page.GetByTestId("job-status");
        await Expect(stage).ToHaveTextAsync("stage: script", new() { Timeout = 60_000 });
        await Expect(status).ToHaveTextAsync("needs approval");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Gate: script is waiting for a decision" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.List, new() { Name = "Job events" }).GetByText("gate_pause").Last).ToBeVisibleAsync();
        await PageChecks.CheckAsync(page, "pipeline-job");

        await page.GetByLabel("Notes").FillAsync("Looks good");
        await page.GetByRole(AriaRole.Button, new() { Name = "Approve script" }).ClickAsync();
        await Expect(page.GetByText("Gate script approved successfully")).ToBeVisibleAsync();
        await Expect(stage).ToHaveTextAsync("stage: storyboard", new() { Timeout = 30_000 });
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = "Looks good" })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "← Pipeline" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = slug })).ToBeVisibleAsync();
        await PageChecks.CheckAsync(page, "pipeline-jobs");
    }

    [Fact]
    public async Task A_rejected_job_form_shows_the_apis_detail()
    {
        var page = await Product.SignedInPageAsync(Product.Admin, "/pipeline");
        // Spaces pass the browser's own checks once the pattern is dropped, so the server's rule is what refuses.
        await page.GetByLabel("Slug").EvaluateAsync("e => e.removeAttribute('pattern')");
        await page.GetByLabel("Slug").FillAsync("not a slug");
        await page.GetByLabel("Intent").FillAsync("x");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create job" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "slug must be" })).ToBeVisibleAsync();
        await Expect(Heading(page, "Pipeline")).ToBeVisibleAsync();
    }
}
