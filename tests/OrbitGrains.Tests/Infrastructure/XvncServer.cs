using System.Diagnostics;
using System.Net.Sockets;

namespace OrbitGrains.Tests.Infrastructure;

/// <summary>
/// A real VNC server for tests: Debian's tigervnc `Xvnc` on a free display and loopback port, without authentication
/// (the product's proxy is the door in these tests). <see cref="FillAsync"/> paints the whole root window one colour
/// (x11-xserver-utils' `xsetroot`), so a test can see the framebuffer change at the other end.
/// </summary>
public sealed class XvncServer : IAsyncDisposable
{
    private readonly Process _process;

    private XvncServer(Process process, int port, int display)
    {
        _process = process;
        Port = port;
        Display = display;
    }

    public int Port { get; }

    public int Display { get; }

    /// <summary>host:port, as LOCAL_VNC_ADDRESS takes it.</summary>
    public string Address => $"127.0.0.1:{Port}";

    public static async Task<XvncServer> StartAsync(string geometry = "64x48")
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePorts.Next();
            var display = Random.Shared.Next(200, 4000);
            var start = new ProcessStartInfo("Xvnc", $":{display} -rfbport {port} -SecurityTypes None -interface 127.0.0.1 -geometry {geometry} -depth 24 -nolisten tcp")
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            var process = Process.Start(start)!;
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();
            try
            {
                await Eventually.TrueAsync(async () => process.HasExited || await ListensAsync(port), "Xvnc listens", TimeSpan.FromSeconds(30));
                if (!process.HasExited)
                {
                    return new XvncServer(process, port, display);
                }
            }
            catch (TimeoutException)
            {
                // Stopped below and tried again on another display.
            }

            Stop(process, display);
            if (attempt == 3)
            {
                throw new InvalidOperationException("Xvnc (Debian: tigervnc-standalone-server) did not start.");
            }
        }
    }

    /// <summary>Paints the root window <paramref name="colour"/> (an X colour such as `#ff0000`).</summary>
    public async Task FillAsync(string colour)
    {
        var start = new ProcessStartInfo("xsetroot", $"-display :{Display} -solid {colour}")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"xsetroot (Debian: x11-xserver-utils) failed: {error}");
    }

    public ValueTask DisposeAsync()
    {
        Stop(_process, Display);
        return ValueTask.CompletedTask;
    }

    private static void Stop(Process process, int display)
    {
        if (!process.HasExited)
        {
            process.Kill();
            process.WaitForExit(10_000);
        }

        process.Dispose();
        // Killed, it leaves its display's lock and socket behind.
        File.Delete($"/tmp/.X{display}-lock");
        File.Delete($"/tmp/.X11-unix/X{display}");
    }

    private static async Task<bool> ListensAsync(int port)
    {
        try
        {
            using var probe = new TcpClient();
            await probe.ConnectAsync("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
