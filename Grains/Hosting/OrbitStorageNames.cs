namespace OrbitGrains.Hosting;

/// <summary>Names of the providers every silo registers; grains and the front end refer to these, never to literals.</summary>
public static class OrbitStorageNames
{
    /// <summary>Grain state; also the default storage for grains that name none.</summary>
    public const string GrainState = "orbit";

    public const string PostgresInvariant = "Npgsql";

    /// <summary>Orleans maps this invariant to Microsoft.Data.Sqlite's factory.</summary>
    public const string SqliteInvariant = "System.Data.SQLite";
}
