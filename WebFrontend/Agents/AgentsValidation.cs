using System.Globalization;
using Microsoft.Extensions.Primitives;
using OrbitGrains.Agents;
using OrbitGrains.WebFrontend.Hosting;

namespace OrbitGrains.WebFrontend.Agents;

/// <summary>
/// The Agents family's input rules (spec: jarvis.md) and their 422 messages. Every rule is checked before anything is
/// written, so a refused request leaves no trace.
/// </summary>
public static class AgentsValidation
{
    public const int MaxName = 120;
    public const int MaxDescription = 500;
    public const int MaxText = 2000;
    public const int MaxCompletedActions = 100;

    /// <summary>The longest an inbox item may wait before it expires: 30 days.</summary>
    public const int MaxExpiresInSec = 30 * 24 * 3600;

    /// <summary>The longest `GET /v1/commands/listen` holds a request; a larger timeout is cut to it (below Orleans' 30 s call timeout).</summary>
    public const int MaxListenSeconds = 25;

    /// <summary>The timeout of `GET /v1/commands/listen` when none is given.</summary>
    public const int DefaultListenSeconds = 20;

    /// <summary>The validated name and description, or the refusal.</summary>
    public static (string Name, string? Description, IResult? Problem) Agent(CreateAgentRequest body)
    {
        var name = body.Name?.Trim();
        if (name is not { Length: >= 1 and <= MaxName })
        {
            return ("", null, Invalid($"name must be 1 to {MaxName} characters."));
        }

        var description = body.Description?.Trim();
        if (description is { Length: > MaxDescription })
        {
            return ("", null, Invalid($"description must be at most {MaxDescription} characters."));
        }

        return (name, description is { Length: > 0 } ? description : null, null);
    }

    public static IResult? Status(string? status) =>
        status is not null && AgentStatuses.All.Contains(status) ? null : Invalid($"status must be one of: {string.Join(", ", AgentStatuses.All)}.");

    /// <summary>The event to store (ids issued here), or the refusal.</summary>
    public static (NewAgentEvent? Event, IResult? Problem) Event(AgentEventRequest body)
    {
        if (body.Type is null || !AgentEventTypes.All.Contains(body.Type))
        {
            return (null, Invalid($"type must be one of: {string.Join(", ", AgentEventTypes.All)}."));
        }

        if (body.Message is not { Length: >= 1 and <= MaxText } || string.IsNullOrWhiteSpace(body.Message))
        {
            return (null, Invalid($"message must be 1 to {MaxText} characters."));
        }

        var cost = body.Cost ?? 0m;
        if (!AgentCosts.IsValid(cost))
        {
            return (null, Invalid($"cost must be a number from 0 to {AgentCosts.MaxEventCost.ToString(CultureInfo.InvariantCulture)}."));
        }

        if (body.ProposedAction is { Length: > MaxText })
        {
            return (null, Invalid($"proposedAction must be at most {MaxText} characters."));
        }

        var completed = body.CompletedActions ?? [];
        if (completed.Length > MaxCompletedActions || completed.Any(a => a is null or { Length: > MaxText }))
        {
            return (null, Invalid($"completedActions must be a list of at most {MaxCompletedActions} texts of at most {MaxText} characters."));
        }

        if (body.ExpiresInSec is { } expires && expires is < 1 or > MaxExpiresInSec)
        {
            return (null, Invalid($"expiresInSec must be an integer from 1 to {MaxExpiresInSec}."));
        }

        var taskId = body.RequiresApproval == true ? Shared.IssuedIds.New() : null;
        return (new NewAgentEvent(Shared.IssuedIds.New(), body.Type, body.Message, cost, taskId, body.ProposedAction, completed!,
            taskId is null ? null : body.ExpiresInSec), null);
    }

    /// <summary>The decision and its comment (trimmed; blank is none), or the refusal.</summary>
    public static (string Decision, string? Comment, IResult? Problem) Decision(InboxDecisionRequest body)
    {
        if (body.Decision is not (InboxStatuses.Approved or InboxStatuses.Rejected))
        {
            return ("", null, Invalid("decision must be approved or rejected."));
        }

        var comment = body.Comment?.Trim();
        return comment is { Length: > MaxText }
            ? ("", null, Invalid($"comment must be at most {MaxText} characters."))
            : (body.Decision, comment is { Length: > 0 } ? comment : null, null);
    }

    /// <summary>The budget to set (null: none), or the refusal.</summary>
    public static (decimal? Budget, IResult? Problem) Budget(BudgetRequest body)
    {
        if (body.Budget.ValueKind == System.Text.Json.JsonValueKind.Null)
        {
            return (null, null);
        }

        return body.Budget.ValueKind == System.Text.Json.JsonValueKind.Number && body.Budget.TryGetDecimal(out var budget) && budget > 0
            ? (budget, null)
            : (null, Invalid("budget must be a number > 0 (or null for no budget)."));
    }

    /// <summary>`?status=` of the inbox: pending, approved or rejected; absent is every status.</summary>
    public static bool TryInboxStatus(StringValues value, out string? status, out IResult? problem)
    {
        problem = null;
        status = null;
        if (StringValues.IsNullOrEmpty(value))
        {
            return true;
        }

        if (value.Count == 1 && value[0] is InboxStatuses.Pending or InboxStatuses.Approved or InboxStatuses.Rejected)
        {
            status = value[0];
            return true;
        }

        problem = Invalid("status must be one of: pending, approved, rejected.");
        return false;
    }

    /// <summary>`?limit=` between 1 and <paramref name="max"/>; absent is <paramref name="fallback"/>.</summary>
    public static bool TryLimit(StringValues value, int fallback, int max, out int limit, out IResult? problem)
    {
        problem = null;
        limit = fallback;
        if (StringValues.IsNullOrEmpty(value))
        {
            return true;
        }

        if (value.Count == 1 && int.TryParse(value[0], NumberStyles.None, CultureInfo.InvariantCulture, out limit) && limit >= 1 && limit <= max)
        {
            return true;
        }

        problem = Invalid($"limit must be an integer from 1 to {max}.");
        return false;
    }

    /// <summary>
    /// `?timeout=` of the long-poll in whole seconds: absent is <see cref="DefaultListenSeconds"/>, above
    /// <see cref="MaxListenSeconds"/> is cut to it; anything but a non-negative integer is refused.
    /// </summary>
    public static bool TryListenTimeout(StringValues value, out TimeSpan timeout, out IResult? problem)
    {
        problem = null;
        timeout = TimeSpan.FromSeconds(DefaultListenSeconds);
        if (StringValues.IsNullOrEmpty(value))
        {
            return true;
        }

        if (value.Count == 1 && value[0] is { Length: > 0 and <= 10 } text && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            timeout = TimeSpan.FromSeconds(Math.Min(seconds, MaxListenSeconds));
            return true;
        }

        problem = Invalid($"timeout must be a whole number of seconds from 0 (at most {MaxListenSeconds} are used).");
        return false;
    }

    /// <summary>`?since=` as an ISO 8601 time (a time without an offset is UTC); absent is null.</summary>
    public static bool TrySince(StringValues value, out DateTimeOffset? since, out IResult? problem)
    {
        problem = null;
        since = null;
        if (StringValues.IsNullOrEmpty(value))
        {
            return true;
        }

        if (value.Count == 1 && DateTimeOffset.TryParse(value[0], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var parsed)
            && value[0]!.Contains('-'))
        {
            since = parsed;
            return true;
        }

        problem = Invalid("since must be an ISO 8601 time, such as 2026-01-31T12:00:00Z.");
        return false;
    }

    public static IResult Invalid(string message) => DetailErrors.Error(StatusCodes.Status422UnprocessableEntity, message);
}
