namespace OrbitGrains.Relay;

/// <summary>Which end of the Orbit protocol a socket speaks for.</summary>
public enum RelayRole
{
    Client,
    Anchor,
}
