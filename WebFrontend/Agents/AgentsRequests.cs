using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using OrbitGrains.WebFrontend.Hosting.Bodies;

namespace OrbitGrains.WebFrontend.Agents;

// Request bodies of the Agents family (spec: jarvis.md; camelCase; {"detail"} errors, 422 for a member of the wrong
// type as FastAPI answered). Every member may be absent (an empty body reads as {}); AgentsValidation says which are
// required and what each may hold, with the family's messages.

/// <summary>POST /v1/agents: name 1..120 characters, description at most 500.</summary>
public sealed record CreateAgentRequest(string? Name = null, string? Description = null) : IRequestBody<CreateAgentRequest>
{
    public static JsonTypeInfo<CreateAgentRequest> JsonTypeInfo => AgentsRequestJson.Default.CreateAgentRequest;
    public static int FieldStatus => StatusCodes.Status422UnprocessableEntity;
}

/// <summary>PATCH /v1/agents/{id}/status: one of the agent statuses.</summary>
public sealed record AgentStatusRequest(string? Status = null) : IRequestBody<AgentStatusRequest>
{
    public static JsonTypeInfo<AgentStatusRequest> JsonTypeInfo => AgentsRequestJson.Default.AgentStatusRequest;
    public static int FieldStatus => StatusCodes.Status422UnprocessableEntity;
}

/// <summary>POST /v1/events (agent runtime): what the agent did, what it cost, and whether it waits for a person.</summary>
/// <param name="Cost">From 0 to <see cref="OrbitGrains.Agents.AgentCosts.MaxEventCost"/> (10^9), in the agent's unit; absent means 0; outside is 422.</param>
/// <param name="CompletedActions">At most <see cref="AgentsValidation.MaxCompletedActions"/> texts of at most 2000 characters.</param>
/// <param name="ExpiresInSec">With requiresApproval: whole seconds (1..<see cref="AgentsValidation.MaxExpiresInSec"/>) after which the
/// task is decided as rejected with comment "expired"; absent: it waits for a person.</param>
public sealed record AgentEventRequest(
    string? Type = null, string? Message = null, decimal? Cost = null, bool? RequiresApproval = null,
    string? ProposedAction = null, string?[]? CompletedActions = null, int? ExpiresInSec = null) : IRequestBody<AgentEventRequest>
{
    public static JsonTypeInfo<AgentEventRequest> JsonTypeInfo => AgentsRequestJson.Default.AgentEventRequest;
    public static int FieldStatus => StatusCodes.Status422UnprocessableEntity;
}

/// <summary>POST /v1/inbox/{id}/decision: approved or rejected, with an optional comment of at most 2000 characters.</summary>
public sealed record InboxDecisionRequest(string? Decision = null, string? Comment = null) : IRequestBody<InboxDecisionRequest>
{
    public static JsonTypeInfo<InboxDecisionRequest> JsonTypeInfo => AgentsRequestJson.Default.InboxDecisionRequest;
    public static int FieldStatus => StatusCodes.Status422UnprocessableEntity;
}

/// <summary>PATCH /v1/spend/budget: the monthly budget, a number greater than 0; null turns enforcement off.</summary>
public sealed record BudgetRequest : IRequestBody<BudgetRequest>
{
    /// <summary>
    /// The JSON value as sent, so an explicit null (off) differs from an absent member (Undefined: refused). A property,
    /// not a constructor parameter with a default, which the OpenAPI schema would try to write.
    /// </summary>
    public System.Text.Json.JsonElement Budget { get; init; }

    public static JsonTypeInfo<BudgetRequest> JsonTypeInfo => AgentsRequestJson.Default.BudgetRequest;
    public static int FieldStatus => StatusCodes.Status422UnprocessableEntity;
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, AllowDuplicateProperties = false)]
[JsonSerializable(typeof(CreateAgentRequest))]
[JsonSerializable(typeof(AgentStatusRequest))]
[JsonSerializable(typeof(AgentEventRequest))]
[JsonSerializable(typeof(InboxDecisionRequest))]
[JsonSerializable(typeof(BudgetRequest))]
internal sealed partial class AgentsRequestJson : JsonSerializerContext;
