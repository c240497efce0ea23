using System.Diagnostics.Metrics;

namespace OrbitGrains.Telemetry;

/// <summary>
/// Agents (../shared/spec/agents.md), counted by the agent's grain once its write is done: events stored (answered
/// 201), by type (<c>action, completion, error, tool_call, approval_request</c>), and inbox decisions a person made, by
/// decision (<c>approved, rejected</c>; expiries are not people's decisions and are not counted here).
/// </summary>
public sealed class AgentsInstruments
{
    private readonly Counter<long> _events;
    private readonly Counter<long> _decisions;

    internal AgentsInstruments(Meter meter)
    {
        _events = meter.CreateCounter<long>("orbitgrains.agents.events", "{event}", "Agent events stored, by type.");
        _decisions = meter.CreateCounter<long>("orbitgrains.agents.decisions", "{decision}",
            "Approval inbox items decided by a person, by decision.");
    }

    public void Stored(string type) => _events.Add(1, new KeyValuePair<string, object?>("type", type));

    public void Decided(string decision) => _decisions.Add(1, new KeyValuePair<string, object?>("decision", decision));
}
