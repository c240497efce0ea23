namespace OrbitGrains.Hosting;

/// <summary>
/// A start-up problem the operator can fix by changing configuration or the environment.
/// Hosts print its message alone (no stack trace) and exit with a non-zero code.
/// </summary>
public sealed class OrbitConfigurationException(string message, Exception? inner = null) : Exception(message, inner);
