namespace OrbitGrains.Tests.Infrastructure;

/// <summary>The source tree the tests were built from, for tests of its recipes (Dockerfile, compose, manifests, scripts).</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release: the configuration these tests (and so the product beside them) were built in.</summary>
    public static string BuildConfiguration { get; } =
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent?.Name ?? "Debug";

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrbitGrains.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No OrbitGrains.sln above {AppContext.BaseDirectory}.");
    }
}
