namespace OrbitGrains.Hosting;

public enum ClusteringMode
{
    /// <summary>One silo on this machine; grain state and reminders in a local SQLite file.</summary>
    Localhost,

    /// <summary>Any number of silos; membership, grain state and reminders in PostgreSQL.</summary>
    Postgres,
}
