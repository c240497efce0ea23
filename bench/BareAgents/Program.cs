// The bare baseline of the agent event ingestion benchmark: a minimal ASP.NET Core endpoint that checks the same
// POST /v1/events body as the product (same rules, same 422 messages for the common cases) and inserts the event as
// one row into SQLite (WAL, synchronous=FULL, one transaction per request), answering 201 once the row is committed.
// No accounts: X-Agent-Token names the agent directly. Not a product: a yardstick for bench/agents-ingest.sh.
using System.Text.Json;
using Microsoft.Data.Sqlite;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();

var path = Path.Combine(builder.Configuration["DATA_DIR"] ?? Path.GetTempPath(), $"bare-agents-{Environment.ProcessId}.db");
var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString();
using (var setup = new SqliteConnection(connectionString))
{
    setup.Open();
    using var command = setup.CreateCommand();
    command.CommandText = """
        PRAGMA journal_mode=WAL;
        CREATE TABLE IF NOT EXISTS events (id TEXT PRIMARY KEY, agent_id TEXT NOT NULL, type TEXT NOT NULL, message TEXT NOT NULL,
            cost TEXT NOT NULL, requires_approval INTEGER NOT NULL, proposed_action TEXT, completed_actions TEXT, created_at TEXT NOT NULL);
        """;
    command.ExecuteNonQuery();
}

string[] types = ["action", "completion", "error", "tool_call", "approval_request"];

app.MapPost("/v1/events", async (HttpContext http) =>
{
    var agent = http.Request.Headers["X-Agent-Token"].ToString();
    if (agent.Length == 0)
    {
        return Results.Json(new { detail = "Missing X-Agent-Token header." }, statusCode: 401);
    }

    JsonDocument body;
    try
    {
        body = await JsonDocument.ParseAsync(http.Request.Body);
    }
    catch (JsonException)
    {
        return Results.Json(new { detail = "The request body is not valid JSON." }, statusCode: 400);
    }

    using (body)
    {
        var root = body.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return Results.Json(new { detail = "The request body must be a JSON object." }, statusCode: 400);
        }

        string? Text(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var type = Text("type");
        if (type is null || !types.Contains(type))
        {
            return Invalid($"type must be one of: {string.Join(", ", types)}.");
        }

        var message = Text("message");
        if (message is not { Length: >= 1 and <= 2000 } || string.IsNullOrWhiteSpace(message))
        {
            return Invalid("message must be 1 to 2000 characters.");
        }

        var cost = 0m;
        if (root.TryGetProperty("cost", out var c) && c.ValueKind != JsonValueKind.Null && (c.ValueKind != JsonValueKind.Number || !c.TryGetDecimal(out cost) || cost < 0))
        {
            return Invalid("cost must be a number >= 0.");
        }

        var proposed = Text("proposedAction");
        if (proposed is { Length: > 2000 })
        {
            return Invalid("proposedAction must be at most 2000 characters.");
        }

        var completed = root.TryGetProperty("completedActions", out var a) && a.ValueKind == JsonValueKind.Array ? a : default;
        if (completed.ValueKind == JsonValueKind.Array && (completed.GetArrayLength() > 100
            || completed.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.String || x.GetString()!.Length > 2000)))
        {
            return Invalid("completedActions must be a list of at most 100 texts of at most 2000 characters.");
        }

        var approval = root.TryGetProperty("requiresApproval", out var r) && r.ValueKind == JsonValueKind.True;
        var id = Guid.NewGuid().ToString("N");
        var now = DateTimeOffset.UtcNow;
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000;";
            await pragma.ExecuteNonQueryAsync();
        }

        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        await using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO events VALUES ($id, $agent, $type, $message, $cost, $approval, $proposed, $completed, $at)";
            insert.Parameters.AddWithValue("$id", id);
            insert.Parameters.AddWithValue("$agent", agent);
            insert.Parameters.AddWithValue("$type", type);
            insert.Parameters.AddWithValue("$message", message);
            insert.Parameters.AddWithValue("$cost", cost.ToString(System.Globalization.CultureInfo.InvariantCulture));
            insert.Parameters.AddWithValue("$approval", approval ? 1 : 0);
            insert.Parameters.AddWithValue("$proposed", (object?)proposed ?? DBNull.Value);
            insert.Parameters.AddWithValue("$completed", completed.ValueKind == JsonValueKind.Array ? completed.GetRawText() : DBNull.Value);
            insert.Parameters.AddWithValue("$at", now.ToString("O"));
            await insert.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
        return Results.Json(new { @event = new { id, agentId = agent, type, message, cost, createdAt = now }, taskId = approval ? Guid.NewGuid().ToString("N") : null }, statusCode: 201);
    }
});

app.Run();

static IResult Invalid(string message) => Results.Json(new { detail = message }, statusCode: 422);
