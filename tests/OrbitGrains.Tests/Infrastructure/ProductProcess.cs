using System.Diagnostics;

namespace OrbitGrains.Tests.Infrastructure;

/// <summary>Runs a product executable (front end or headless silo) as its own process, the way an operator would.</summary>
public static class ProductProcess
{
    public sealed record Outcome(int ExitCode, string StandardOutput, string StandardError);

    public static async Task<Outcome> RunToExitAsync(string assemblyName, IDictionary<string, string> environment, TimeSpan timeout)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, assemblyName + ".dll");
        var info = new ProcessStartInfo("dotnet", $"\"{dll}\"")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        // A clean slate: the test runner's own ASP.NET/Orleans variables must not leak into the product.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_") || k.StartsWith("DOTNET_ENVIRONMENT") || k.StartsWith("ORLEANS_")).ToList())
        {
            info.Environment.Remove(key);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{assemblyName} did not exit within {timeout}: {await stdout} {await stderr}");
        }

        return new Outcome(process.ExitCode, await stdout, await stderr);
    }
}
