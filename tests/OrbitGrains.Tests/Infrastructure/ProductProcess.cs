using System.Diagnostics;

namespace OrbitGrains.Tests.Infrastructure;

/// <summary>Runs a product executable (front end or headless silo) as its own process, the way an operator would.</summary>
public static class ProductProcess
{
    public sealed record Outcome(int ExitCode, string StandardOutput, string StandardError);

    /// <summary>The built product assembly beside the tests (e.g. OrbitGrains.WebFrontend).</summary>
    public static string Assembly(string assemblyName) => Path.Combine(AppContext.BaseDirectory, assemblyName + ".dll");

    /// <summary>`dotnet &lt;dll&gt; args` with only <paramref name="environment"/> of the product's own settings.</summary>
    public static ProcessStartInfo StartInfo(string dll, IDictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // A clean slate: the test runner's own ASP.NET/Orleans variables must not leak into the product.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_") || k.StartsWith("DOTNET_ENVIRONMENT") || k.StartsWith("ORLEANS_")).ToList())
        {
            info.Environment.Remove(key);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        return info;
    }

    public static Task<Outcome> RunToExitAsync(string assemblyName, IDictionary<string, string> environment, TimeSpan timeout) =>
        RunDllToExitAsync(Assembly(assemblyName), environment, timeout);

    public static async Task<Outcome> RunDllToExitAsync(string dll, IDictionary<string, string> environment, TimeSpan timeout, params string[] args)
    {
        using var process = Process.Start(StartInfo(dll, environment, args))!;
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
            throw new TimeoutException($"{Path.GetFileName(dll)} did not exit within {timeout}: {await stdout} {await stderr}");
        }

        return new Outcome(process.ExitCode, await stdout, await stderr);
    }
}
