namespace OrbitGrains.Tests.Infrastructure;

public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix = "orbit-test")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A process that has not let go yet; the OS temp cleaner takes the rest.
        }
    }
}
