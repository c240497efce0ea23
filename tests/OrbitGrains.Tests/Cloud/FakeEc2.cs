using System.Collections.Concurrent;
using System.Security;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OrbitGrains.Tests.Cloud;

/// <summary>
/// An in-test EC2 endpoint speaking the Query API subset the product uses (RunInstances, DescribeInstances,
/// Start/Stop/TerminateInstances, CreateTags), answering in EC2's XML, so the real AWSSDK.EC2 client talks to it.
/// Instances move one step per DescribeInstances while <see cref="AutoAdvance"/> is on (pending to running, stopping to
/// stopped, shutting-down to terminated); <see cref="Throttle"/> makes the next calls fail with RequestLimitExceeded.
/// </summary>
public sealed class FakeEc2 : IAsyncDisposable
{
    private const string Ns = "http://ec2.amazonaws.com/doc/2016-11-15/";
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Instance> _instances = new();
    private readonly ConcurrentDictionary<string, string> _clientTokens = new();
    private int _throttle;
    private int _next;

    private FakeEc2(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    /// <summary>Each call as received: its Action and form values.</summary>
    public ConcurrentQueue<(string Action, Dictionary<string, string> Form)> Calls { get; } = new();

    /// <summary>When false, instances stay in their transitional state until a test moves them.</summary>
    public volatile bool AutoAdvance = true;

    public sealed class Instance
    {
        public required string Id { get; init; }
        public string State { get; set; } = "pending";
        public Dictionary<string, string> Tags { get; } = [];
        public string? UserData { get; init; }
        public string InstanceType { get; init; } = "t3.large";
    }

    public IReadOnlyCollection<Instance> Instances => _instances.Values.ToArray();

    public Instance? Find(string id) => _instances.GetValueOrDefault(id);

    /// <summary>The next <paramref name="calls"/> calls answer 503 RequestLimitExceeded.</summary>
    public void Throttle(int calls) => Interlocked.Exchange(ref _throttle, calls);

    public int Count(string action) => Calls.Count(c => c.Action == action);

    /// <summary>An instance made outside the product (or by a launch whose grain never stored it), with these tags.</summary>
    public Instance Add(string state, Dictionary<string, string> tags)
    {
        var instance = new Instance { Id = NewId(), State = state };
        foreach (var (k, v) in tags)
        {
            instance.Tags[k] = v;
        }

        _instances[instance.Id] = instance;
        return instance;
    }

    public static async Task<FakeEc2> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeEc2(app);
        app.MapPost("/", fake.HandleAsync);
        await app.StartAsync();
        fake.Url = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
        return fake;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var form = (await context.Request.ReadFormAsync()).ToDictionary(f => f.Key, f => f.Value.ToString());
        var action = form.GetValueOrDefault("Action") ?? "";
        Calls.Enqueue((action, form));
        if (Interlocked.Decrement(ref _throttle) >= 0)
        {
            await ErrorAsync(context, 503, "RequestLimitExceeded", "Request limit exceeded.");
            return;
        }

        Interlocked.Exchange(ref _throttle, 0);
        switch (action)
        {
            case "RunInstances":
                await RunAsync(context, form);
                break;
            case "DescribeInstances":
                await DescribeAsync(context, form);
                break;
            case "StopInstances":
                await ChangeAsync(context, form, "StopInstancesResponse", i => i.State is "running" or "pending" ? "stopping" : i.State);
                break;
            case "StartInstances":
                await ChangeAsync(context, form, "StartInstancesResponse", i => i.State is "stopped" or "stopping" ? "pending" : i.State);
                break;
            case "TerminateInstances":
                await ChangeAsync(context, form, "TerminateInstancesResponse", i => i.State == "terminated" ? i.State : "shutting-down");
                break;
            case "CreateTags":
                foreach (var id in Indexed(form, "ResourceId"))
                {
                    if (_instances.TryGetValue(id, out var tagged))
                    {
                        for (var n = 1; form.ContainsKey($"Tag.{n}.Key"); n++)
                        {
                            tagged.Tags[form[$"Tag.{n}.Key"]] = form.GetValueOrDefault($"Tag.{n}.Value") ?? "";
                        }
                    }
                }

                await XmlAsync(context, $"<CreateTagsResponse xmlns=\"{Ns}\"><requestId>r</requestId><return>true</return></CreateTagsResponse>");
                break;
            default:
                await ErrorAsync(context, 400, "InvalidAction", $"The action {action} is not valid for this web service.");
                break;
        }
    }

    private async Task RunAsync(HttpContext context, Dictionary<string, string> form)
    {
        Instance instance;
        var token = form.GetValueOrDefault("ClientToken");
        lock (_clientTokens)
        {
            if (token is not null && _clientTokens.TryGetValue(token, out var existing))
            {
                instance = _instances[existing];
            }
            else
            {
                instance = new Instance
                {
                    Id = NewId(),
                    UserData = form.TryGetValue("UserData", out var data) ? Encoding.UTF8.GetString(Convert.FromBase64String(data)) : null,
                    InstanceType = form.GetValueOrDefault("InstanceType") ?? "m1.small",
                };
                for (var n = 1; form.ContainsKey($"TagSpecification.1.Tag.{n}.Key"); n++)
                {
                    instance.Tags[form[$"TagSpecification.1.Tag.{n}.Key"]] = form.GetValueOrDefault($"TagSpecification.1.Tag.{n}.Value") ?? "";
                }

                _instances[instance.Id] = instance;
                if (token is not null)
                {
                    _clientTokens[token] = instance.Id;
                }
            }
        }

        await XmlAsync(context, $"<RunInstancesResponse xmlns=\"{Ns}\"><requestId>r</requestId><reservationId>r-1</reservationId><ownerId>123456789012</ownerId>" +
            $"<groupSet/><instancesSet>{Item(instance)}</instancesSet></RunInstancesResponse>");
    }

    private async Task DescribeAsync(HttpContext context, Dictionary<string, string> form)
    {
        var ids = Indexed(form, "InstanceId").ToList();
        IEnumerable<Instance> found = ids.Count > 0 ? ids.Select(Find).OfType<Instance>() : _instances.Values;
        if (ids.Count > 0 && !found.Any())
        {
            await ErrorAsync(context, 400, "InvalidInstanceID.NotFound", $"The instance ID '{ids[0]}' does not exist");
            return;
        }

        for (var n = 1; form.TryGetValue($"Filter.{n}.Name", out var name); n++)
        {
            var values = Indexed(form, $"Filter.{n}.Value").ToHashSet();
            found = name switch
            {
                "instance-state-name" => found.Where(i => values.Contains(i.State)),
                _ when name.StartsWith("tag:") => found.Where(i => i.Tags.TryGetValue(name[4..], out var v) && values.Contains(v)),
                _ => found,
            };
        }

        var list = found.ToList();
        if (AutoAdvance && ids.Count > 0)
        {
            foreach (var instance in list)
            {
                instance.State = instance.State switch
                {
                    "pending" => "running",
                    "stopping" => "stopped",
                    "shutting-down" => "terminated",
                    var s => s,
                };
            }
        }

        var items = string.Concat(list.Select(Item));
        await XmlAsync(context, $"<DescribeInstancesResponse xmlns=\"{Ns}\"><requestId>r</requestId><reservationSet>" +
            (list.Count == 0 ? "" : $"<item><reservationId>r-1</reservationId><ownerId>123456789012</ownerId><groupSet/><instancesSet>{items}</instancesSet></item>") +
            "</reservationSet></DescribeInstancesResponse>");
    }

    private async Task ChangeAsync(HttpContext context, Dictionary<string, string> form, string element, Func<Instance, string> next)
    {
        var changes = new StringBuilder();
        foreach (var id in Indexed(form, "InstanceId"))
        {
            if (!_instances.TryGetValue(id, out var instance))
            {
                await ErrorAsync(context, 400, "InvalidInstanceID.NotFound", $"The instance ID '{id}' does not exist");
                return;
            }

            var previous = instance.State;
            instance.State = next(instance);
            changes.Append($"<item><instanceId>{id}</instanceId><currentState><code>{Code(instance.State)}</code><name>{instance.State}</name></currentState>" +
                $"<previousState><code>{Code(previous)}</code><name>{previous}</name></previousState></item>");
        }

        await XmlAsync(context, $"<{element} xmlns=\"{Ns}\"><requestId>r</requestId><instancesSet>{changes}</instancesSet></{element}>");
    }

    private static string Item(Instance i) =>
        $"<item><instanceId>{i.Id}</instanceId><imageId>ami-test</imageId><instanceState><code>{Code(i.State)}</code><name>{i.State}</name></instanceState>" +
        $"<instanceType>{SecurityElement.Escape(i.InstanceType)}</instanceType>" +
        (i.State == "running" ? "<ipAddress>127.0.0.1</ipAddress>" : "") +
        "<tagSet>" + string.Concat(i.Tags.Select(t => $"<item><key>{SecurityElement.Escape(t.Key)}</key><value>{SecurityElement.Escape(t.Value)}</value></item>")) + "</tagSet></item>";

    private static int Code(string state) => state switch
    {
        "pending" => 0,
        "running" => 16,
        "shutting-down" => 32,
        "terminated" => 48,
        "stopping" => 64,
        _ => 80,
    };

    private static IEnumerable<string> Indexed(Dictionary<string, string> form, string prefix)
    {
        for (var n = 1; form.TryGetValue($"{prefix}.{n}", out var value); n++)
        {
            yield return value;
        }
    }

    private string NewId() => $"i-{Interlocked.Increment(ref _next):x17}";

    private static Task XmlAsync(HttpContext context, string xml)
    {
        context.Response.ContentType = "text/xml;charset=UTF-8";
        return context.Response.WriteAsync("<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + xml);
    }

    private static Task ErrorAsync(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        return XmlAsync(context, $"<Response><Errors><Error><Code>{code}</Code><Message>{SecurityElement.Escape(message)}</Message></Error></Errors><RequestID>r</RequestID></Response>");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
