using Xunit.Abstractions;
using YamlDotNet.RepresentationModel;

namespace OrbitGrains.Tests.Operations;

/// <summary>
/// deploy/k8s, checked offline: kustomize renders it (kubectl kustomize), every object is checked against the
/// Kubernetes API's JSON schemas (deploy/k8s/validate, on the kubernetes-models package), and the parts that must agree
/// with the product and with each other do (probes and ports, the pod identity Orleans reads, selectors, secrets).
/// No API server is reachable here, so `kubectl apply --dry-run=client` (which asks one for its resource list) cannot run.
/// </summary>
public sealed class KubernetesManifestTests(ITestOutputHelper output)
{
    private static readonly string Validator = Repository.PathOf("deploy", "k8s", "validate");
    private static readonly SemaphoreSlim NpmInstall = new(1, 1);

    [Fact]
    public async Task The_manifests_render_and_every_object_matches_the_kubernetes_schema()
    {
        var rendered = await RenderAsync();
        var result = await ValidateAsync(rendered + "\n---\n" + File.ReadAllText(Repository.PathOf("deploy", "k8s", "secret.example.yaml")));
        output.WriteLine("Checked against the Kubernetes API schemas (kubernetes-models):\n" + result.Output);
        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        foreach (var expected in new[]
                 {
                     "v1 Namespace/", "v1 ServiceAccount/", "rbac.authorization.k8s.io/v1 Role/", "rbac.authorization.k8s.io/v1 RoleBinding/", "v1 ConfigMap/", "v1 Secret/", "batch/v1 Job/",
                     "apps/v1 Deployment/orbitgrains-frontend", "apps/v1 Deployment/orbitgrains-silo", "v1 Service/orbitgrains-frontend",
                     "networking.k8s.io/v1 Ingress/", "policy/v1 PodDisruptionBudget/orbitgrains-frontend", "policy/v1 PodDisruptionBudget/orbitgrains-silo",
                 })
        {
            Assert.Contains("valid " + expected, result.Output);
        }
    }

    [Fact]
    public async Task The_schema_check_refuses_a_malformed_object()
    {
        var broken = File.ReadAllText(Repository.PathOf("deploy", "k8s", "frontend.yaml")).Replace("containerPort: 8080", "containerPort: eighty");
        var result = await ValidateAsync(broken);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("containerPort must be integer", result.Output);
    }

    [Fact]
    public async Task Probes_ports_pod_identity_selectors_and_secrets_agree_with_the_product_and_each_other()
    {
        var objects = Parse(await RenderAsync());
        var secret = Parse(File.ReadAllText(Repository.PathOf("deploy", "k8s", "secret.example.yaml"))).Single();
        var image = Dockerfile.Parse(File.ReadAllText(Repository.PathOf("Dockerfile")));
        var config = Of(objects, "ConfigMap", "orbitgrains")["data"];
        Assert.Equal("kubernetes", Text(config, "ORLEANS_HOSTING"));
        Assert.Equal("postgres", Text(config, "ORLEANS_CLUSTERING"));
        Assert.Equal("false", Text(config, "ORLEANS_APPLY_SCHEMA"));

        foreach (var (deployment, stage, portVariable, httpPort) in new[]
                 {
                     ("orbitgrains-frontend", "frontend", "PORT", "http"),
                     ("orbitgrains-silo", "silo", "HEALTH_PORT", "health"),
                 })
        {
            var spec = Of(objects, "Deployment", deployment)["spec"];
            var pod = spec["template"];
            var labels = Map(pod["metadata"]["labels"]);
            Assert.All(Map(spec["selector"]["matchLabels"]), pair => Assert.Equal(pair.Value, labels[pair.Key]));
            Assert.Equal("0", Text(spec["strategy"]["rollingUpdate"], "maxUnavailable"));
            Assert.True(int.Parse(Text(pod["spec"], "terminationGracePeriodSeconds")) >= 45, $"{deployment}: the grace period outlasts a graceful shutdown");
            Assert.Equal("true", Text(pod["spec"]["securityContext"], "runAsNonRoot"));

            var container = Assert.Single(Seq(pod["spec"]["containers"]));
            var ports = Seq(container["ports"]).ToDictionary(p => Text(p, "name"), p => Text(p, "containerPort"));
            // The image listens where the manifest says: the Dockerfile's stage sets the port.
            Assert.Equal(image.Stages[stage].Environment[portVariable], ports[httpPort]);
            Assert.Equal("11111", ports["silo"]);
            Assert.Equal("30000", ports["gateway"]);
            Assert.Equal("/healthz", Text(container["livenessProbe"]["httpGet"], "path"));
            Assert.Equal("/readyz", Text(container["readinessProbe"]["httpGet"], "path"));
            Assert.Equal(httpPort, Text(container["readinessProbe"]["httpGet"], "port"));
            Assert.NotNull(container["resources"]["requests"]["memory"]);
            Assert.NotNull(container["resources"]["limits"]["memory"]);

            // Orleans' Kubernetes hosting: the pod's name, namespace and IP, and the ids from the pod's own labels.
            var env = Seq(container["env"]).ToDictionary(e => Text(e, "name"), e => Text(e["valueFrom"]["fieldRef"], "fieldPath"));
            Assert.Equal("metadata.name", env["POD_NAME"]);
            Assert.Equal("metadata.namespace", env["POD_NAMESPACE"]);
            Assert.Equal("status.podIP", env["POD_IP"]);
            Assert.Equal("metadata.labels['orleans/clusterId']", env["ORLEANS_CLUSTER_ID"]);
            Assert.True(labels.ContainsKey("orleans/clusterId") && labels.ContainsKey("orleans/serviceId"));
            Assert.Equal(Text(secret["metadata"], "name"), Text(Seq(container["envFrom"]).Cast<YamlMappingNode>().Single(e => e.Children.ContainsKey("secretRef"))["secretRef"], "name"));

            var annotations = Map(pod["metadata"]["annotations"]);
            Assert.Equal(stage == "frontend" ? Text(config, "METRICS_PORT") : ports["health"], annotations["prometheus.io/port"]);
            Assert.Equal(annotations["prometheus.io/port"], ports[stage == "frontend" ? "metrics" : "health"]);

            var budget = Of(objects, "PodDisruptionBudget", deployment)["spec"];
            Assert.All(Map(budget["selector"]["matchLabels"]), pair => Assert.Equal(pair.Value, labels[pair.Key]));
        }

        var service = Of(objects, "Service", "orbitgrains-frontend")["spec"];
        var frontLabels = Map(Of(objects, "Deployment", "orbitgrains-frontend")["spec"]["template"]["metadata"]["labels"]);
        Assert.All(Map(service["selector"]), pair => Assert.Equal(pair.Value, frontLabels[pair.Key]));
        Assert.Equal("http", Text(Seq(service["ports"]).Single(), "targetPort"));
        var backend = Seq(Seq(Of(objects, "Ingress", "orbitgrains")["spec"]["rules"]).Single()["http"]["paths"]).Single()["backend"]["service"];
        Assert.Equal("orbitgrains-frontend", Text(backend, "name"));
        Assert.Equal("http", Text(backend["port"], "name"));
        var ingressAnnotations = Map(Of(objects, "Ingress", "orbitgrains")["metadata"]["annotations"]);
        Assert.True(int.Parse(ingressAnnotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600, "WebSockets and SSE outlive an hour");

        var job = Assert.Single(Seq(Of(objects, "Job", "orbitgrains-schema")["spec"]["template"]["spec"]["containers"]));
        Assert.Equal(SchemaVerb, Text(Seq(job["args"]).Single()));
        var secretKey = Text(Seq(job["env"]).Single(e => Text(e, "name") == "ConnectionStrings__Postgres")["valueFrom"]["secretKeyRef"], "key");
        Assert.Contains(secretKey, Map(secret["stringData"]).Keys);
        output.WriteLine("Cross-checked: probes and ports against the Dockerfile, pod identity for Orleans' Kubernetes hosting, " +
            "selectors of the Service and PodDisruptionBudgets, the Ingress backend, secret references, the schema job.");
    }

    private const string SchemaVerb = OrbitGrains.Silo.SchemaCommand.Verb;

    private static async Task<string> RenderAsync() => await Tool.OutputOfAsync("kubectl", "kustomize", Repository.PathOf("deploy", "k8s"));

    private static async Task<Tool.Result> ValidateAsync(string manifests)
    {
        await NpmInstall.WaitAsync();
        try
        {
            var stamp = Path.Combine(Validator, "node_modules", ".package-lock.json");
            if (!File.Exists(stamp) || File.GetLastWriteTimeUtc(stamp) < File.GetLastWriteTimeUtc(Path.Combine(Validator, "package-lock.json")))
            {
                var install = await Tool.RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], workingDirectory: Validator);
                Assert.True(install.ExitCode == 0, install.Output + install.Error);
            }
        }
        finally
        {
            NpmInstall.Release();
        }

        return await Tool.RunAsync("node", ["validate.mjs"], standardInput: manifests, workingDirectory: Validator);
    }

    private static List<YamlMappingNode> Parse(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>().ToList();
    }

    private static YamlMappingNode Of(List<YamlMappingNode> objects, string kind, string name) =>
        objects.Single(o => Text(o, "kind") == kind && Text(o["metadata"], "name") == name);

    private static string Text(YamlNode node, string key) => ((YamlScalarNode)((YamlMappingNode)node)[key]).Value!;

    private static string Text(YamlNode node) => ((YamlScalarNode)node).Value!;

    private static IEnumerable<YamlNode> Seq(YamlNode node) => ((YamlSequenceNode)node).Children;

    private static Dictionary<string, string> Map(YamlNode node) =>
        ((YamlMappingNode)node).Children.ToDictionary(p => Text(p.Key), p => Text(p.Value));
}
