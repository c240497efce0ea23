namespace OrbitGrains.Agents;

/// <summary>
/// What an event's cost may be and how costs are summed. The spec (jarvis.md, Agent runtime) says only `cost >= 0`; the
/// maximum is this product's, so that no sum of spend can overflow C#'s decimal in practice (see docs/agents.md).
/// </summary>
public static class AgentCosts
{
    /// <summary>
    /// The largest cost one event may carry: 10^9, in whatever unit the agent reports (the spec's clients send
    /// currency amounts such as 0.0042). With it, overflowing a sum (decimal's largest is about 7.9 * 10^28) takes more
    /// than 10^19 events.
    /// </summary>
    public const decimal MaxEventCost = 1_000_000_000m;

    /// <summary>True for a cost an event may carry: from 0 to <see cref="MaxEventCost"/>, both included.</summary>
    public static bool IsValid(decimal cost) => cost >= 0m && cost <= MaxEventCost;

    /// <summary>
    /// <paramref name="total"/> + <paramref name="cost"/>, stopping at <see cref="decimal.MaxValue"/> (or MinValue) instead of
    /// throwing: counting spend must not fail a batch whose events are stored, and stored state may hold costs accepted
    /// before <see cref="MaxEventCost"/> existed.
    /// </summary>
    public static decimal Add(decimal total, decimal cost)
    {
        try
        {
            return total + cost;
        }
        catch (OverflowException)
        {
            return cost > 0m ? decimal.MaxValue : decimal.MinValue;
        }
    }

    /// <summary>The sum of <paramref name="costs"/> by <see cref="Add"/>.</summary>
    public static decimal Sum(IEnumerable<decimal> costs) => costs.Aggregate(0m, Add);
}
