using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace OrbitGrains.Tests.Infrastructure;

/// <summary>What every page of the web client is checked for: axe-core finds no serious or critical violation; and a screenshot.</summary>
public static class PageChecks
{
    /// <summary>Screenshots land in the test output folder (not committed): bin/.../screenshots/NAME.png at 1280x800.</summary>
    public static string ScreenshotFolder { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, $"{name}.png") });
    }

    /// <summary>Runs axe-core on the page as it is now and fails with the rule ids and targets of serious or critical violations.</summary>
    public static async Task AssertAccessibleAsync(IPage page, string name)
    {
        var result = await page.RunAxe();
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToArray();
        Assert.True(serious.Length == 0, $"{name}: accessibility violations:\n" + string.Join('\n', serious.Select(Describe)));
    }

    /// <summary>No uncaught script error or CSP refusal so far, then axe and a screenshot in the light and the dark theme (NAME-light.png, NAME-dark.png).</summary>
    public static async Task CheckAsync(IPage page, string name)
    {
        var problems = Chromium.ProblemsOf(page);
        Assert.True(problems.Count == 0, $"{name}: the page had script errors or CSP refusals:\n  " + string.Join("\n  ", problems));

        foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
        {
            await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = scheme });
            var suffix = scheme == ColorScheme.Light ? "light" : "dark";
            await AssertAccessibleAsync(page, $"{name} ({suffix})");
            await ScreenshotAsync(page, $"{name}-{suffix}");
        }

        await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = ColorScheme.Light });
    }

    private static string Describe(AxeResultItem violation) =>
        $"  {violation.Impact} {violation.Id}: {violation.Help} at {string.Join(", ", violation.Nodes.Select(n => n.Target?.ToString()))}";
}
