using System.Diagnostics;

namespace OrbitGrains.Tests.Infrastructure;

/// <summary>Runs a command-line tool the tests depend on (kubectl, node, npm, caddy, docker-compose) and captures what it says.</summary>
public static class Tool
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static async Task<Result> RunAsync(string fileName, IEnumerable<string> args, string? standardInput = null,
        string? workingDirectory = null, IDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = standardInput is not null,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Repository.Root,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"'{fileName}' is not installed ({ex.Message}); .ci/run installs it.", ex);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (standardInput is not null)
            {
                await process.StandardInput.WriteAsync(standardInput);
                process.StandardInput.Close();
            }

            using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(5));
            try
            {
                await process.WaitForExitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{fileName} {string.Join(' ', args)} did not finish: {await stdout}{await stderr}");
            }

            return new Result(process.ExitCode, await stdout, await stderr);
        }
    }

    /// <summary>Runs the tool and asserts it succeeded; its standard output.</summary>
    public static async Task<string> OutputOfAsync(string fileName, params string[] args)
    {
        var result = await RunAsync(fileName, args);
        Assert.True(result.ExitCode == 0, $"{fileName} {string.Join(' ', args)} exited {result.ExitCode}: {result.Output}{result.Error}");
        return result.Output;
    }
}
