namespace OrbitGrains.Accounts;

/// <summary>
/// The directory of accounts in the order they were created: whether the system has any user, who came first, and
/// the pages an admin lists and searches. Append-only: entries live in sealed pages of a fixed size, so enrolling a
/// user never rewrites the directory.
/// </summary>
[Alias("OrbitGrains.Accounts.ISystemUsersGrain")]
public interface ISystemUsersGrain : IGrainWithStringKey
{
    public const string Key = "system";

    /// <summary>Records a new user; its sequence in the directory (1 for the first user the system ever had).</summary>
    [Alias("EnrolUser")]
    Task<long> Enrol(string userId, string name);

    [Alias("HasUsers")]
    Task<bool> HasUsers();

    /// <summary>The oldest user, who receives the bootstrap user token when no email is named.</summary>
    [Alias("FirstUser")]
    Task<string?> FirstUser();

    /// <summary>Entries after sequence <paramref name="after"/>, oldest first, at most <paramref name="limit"/> (1-1000).</summary>
    [Alias("List")]
    Task<DirectoryPage> List(long after, int limit);
}

[GenerateSerializer, Immutable, Alias("OrbitGrains.Accounts.DirectoryEntry")]
public sealed record DirectoryEntry(
    [property: Id(0)] long Sequence,
    [property: Id(1)] string UserId,
    [property: Id(2)] string Name);

/// <param name="NextAfter">Where the next page starts; null at the end of the directory.</param>
[GenerateSerializer, Immutable, Alias("OrbitGrains.Accounts.DirectoryPage")]
public sealed record DirectoryPage(
    [property: Id(0)] DirectoryEntry[] Entries,
    [property: Id(1)] long? NextAfter,
    [property: Id(2)] long Total);
