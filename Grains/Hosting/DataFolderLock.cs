using System.Diagnostics;
using System.Globalization;

namespace OrbitGrains.Hosting;

/// <summary>
/// Embedded mode: the process that uses a data folder holds an exclusive lock on <c>orbitgrains.lock</c> in it (and
/// beside the database file when <c>DATABASE_PATH</c> puts it elsewhere) until it stops. A second process on the same
/// folder refuses to start with one line naming the folder and the holder, instead of running beside the first on
/// one database (two silos each believing they own every grain) and failing its writes with version conflicts.
/// </summary>
/// <remarks>
/// The lock is the operating system's (<c>flock</c> on Linux, a sharing lock on Windows), so it ends with the process
/// however it ends; a lock file left behind by a killed process locks nothing. Who holds it is written beside it,
/// in <c>orbitgrains.lock.holder</c>, because a locked file cannot be read by the one refused.
/// </remarks>
public sealed class DataFolderLock : IDisposable
{
    public const string FileName = "orbitgrains.lock";
    private const string HolderSuffix = ".holder";
    private readonly List<FileStream> _held;

    private DataFolderLock(List<FileStream> held) => _held = held;

    /// <summary>Takes the lock of every folder the embedded store uses; null in cluster mode, where nothing is local.</summary>
    /// <exception cref="OrbitConfigurationException">Another process (or host in this process) holds one of them.</exception>
    public static DataFolderLock? Acquire(OrbitClusterSettings settings)
    {
        if (settings.Mode != ClusteringMode.Localhost)
        {
            return null;
        }

        var folders = new[] { settings.DataDirectory, Path.GetDirectoryName(Path.GetFullPath(settings.SqlitePath))! }
            .Select(folder => Path.GetFullPath(folder))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var held = new List<FileStream>();
        try
        {
            foreach (var folder in folders)
            {
                held.Add(Lock(folder));
            }
        }
        catch
        {
            held.ForEach(stream => stream.Dispose());
            throw;
        }

        return new DataFolderLock(held);
    }

    /// <summary>
    /// Takes the lock (<see cref="Acquire"/>) and builds a host that is to own it; the lock is let go again when the
    /// build fails. The host disposes the lock when it is disposed itself.
    /// </summary>
    public static async Task<T> HoldWhileAsync<T>(OrbitClusterSettings settings, Func<DataFolderLock?, Task<T>> build)
    {
        var folderLock = Acquire(settings);
        try
        {
            return await build(folderLock);
        }
        catch
        {
            folderLock?.Dispose();
            throw;
        }
    }

    public void Dispose() => _held.ForEach(stream => stream.Dispose());

    private static FileStream Lock(string folder)
    {
        var path = Path.Combine(folder, FileName);
        FileStream stream;
        try
        {
            Directory.CreateDirectory(folder);
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException and not PathTooLongException)
        {
            throw new OrbitConfigurationException(
                $"the data folder {folder} is in use by {Holder(path)}. Stop that process, or give this one its own DATA_DIR.", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new OrbitConfigurationException($"cannot lock the data folder {folder}: {ex.Message} Set DATA_DIR to a writable folder.", ex);
        }

        try
        {
            using var process = Process.GetCurrentProcess();
            File.WriteAllText(path + HolderSuffix, string.Create(CultureInfo.InvariantCulture,
                $"process {Environment.ProcessId} ({process.ProcessName}) on {Environment.MachineName}, since {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss}Z"));
        }
        catch (IOException)
        {
            // Only the refusal message of a second process would miss it.
        }

        return stream;
    }

    private static string Holder(string path)
    {
        try
        {
            return File.ReadAllText(path + HolderSuffix).Trim() is { Length: > 0 } holder ? holder : "another process";
        }
        catch (IOException)
        {
            return "another process";
        }
    }
}
