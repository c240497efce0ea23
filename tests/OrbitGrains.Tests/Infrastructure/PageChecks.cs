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

    /// <summary>Both checks, in the light and the dark theme (screenshots NAME-light.png and NAME-dark.png).</summary>
    public static async Task CheckAsync(IPage page, string name)
    {
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
