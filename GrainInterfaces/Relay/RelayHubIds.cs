namespace OrbitGrains.Relay;

/// <summary>Hub ids name the silo they run in, so that anyone holding one can ask cluster membership whether it lives.</summary>
public static class RelayHubIds
{
    /// <summary>`{silo address, parsable form}#{32 hex digits}`: one per start of a front end.</summary>
    public static string New(SiloAddress silo) => $"{silo.ToParsableString()}#{Guid.NewGuid():N}";

    /// <summary>The silo of a hub id made by <see cref="New"/>; null for any other string.</summary>
    public static SiloAddress? SiloOf(string hubId)
    {
        var separator = hubId.LastIndexOf('#');
        if (separator <= 0)
        {
            return null;
        }

        try
        {
            return SiloAddress.FromParsableString(hubId[..separator]);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
