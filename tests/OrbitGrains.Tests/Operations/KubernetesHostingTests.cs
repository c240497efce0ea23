using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OrbitGrains.Hosting;
using Orleans.Configuration;

namespace OrbitGrains.Tests.Operations;

/// <summary>ORLEANS_HOSTING=kubernetes: what a pod's downward-API variables make of the silo, and what is refused.</summary>
public sealed class KubernetesHostingTests
{
    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void Kubernetes_hosting_needs_postgres_clustering_and_the_pods_identity()
    {
        var embedded = Assert.Throws<OrbitConfigurationException>(() => OrbitClusterSettings.Load(Config(("ORLEANS_HOSTING", "kubernetes"))));
        Assert.Contains("ORLEANS_CLUSTERING=postgres", embedded.Message);

        var withoutPod = Assert.Throws<OrbitConfigurationException>(() => OrbitClusterSettings.Load(Config(
            ("ORLEANS_HOSTING", "kubernetes"), ("ORLEANS_CLUSTERING", "postgres"), ("ConnectionStrings:Postgres", "Host=db"), ("POD_NAME", "front-0"))));
        Assert.Contains("POD_NAMESPACE, POD_IP", withoutPod.Message);

        var unknown = Assert.Throws<OrbitConfigurationException>(() => OrbitClusterSettings.Load(Config(("ORLEANS_HOSTING", "nomad"))));
        Assert.Contains("not a hosting mode", unknown.Message);

        Assert.False(OrbitClusterSettings.Load(Config()).KubernetesHosting);
    }

    [Fact]
    public void In_a_pod_the_silo_is_named_after_it_advertises_its_ip_and_listens_on_every_interface()
    {
        // Orleans' Kubernetes hosting reads these from the process environment, as a pod provides them.
        var pod = new Dictionary<string, string> { ["POD_NAME"] = "orbitgrains-front-7d9f-x2k4q", ["POD_NAMESPACE"] = "orbit", ["POD_IP"] = "10.244.1.17" };
        foreach (var (key, value) in pod)
        {
            Environment.SetEnvironmentVariable(key, value);
        }

        try
        {
            var settings = OrbitClusterSettings.Load(Config(
                ("ORLEANS_HOSTING", "kubernetes"), ("ORLEANS_CLUSTERING", "postgres"), ("ConnectionStrings:Postgres", "Host=db;Database=orbit"),
                ("POD_NAME", pod["POD_NAME"]), ("POD_NAMESPACE", pod["POD_NAMESPACE"]), ("POD_IP", pod["POD_IP"]),
                ("ORLEANS_SILO_PORT", "11111"), ("ORLEANS_GATEWAY_PORT", "30000")));
            Assert.True(settings.KubernetesHosting);

            // Built, never started: nothing here talks to PostgreSQL or a Kubernetes API server.
            using var host = Host.CreateDefaultBuilder().UseOrleans(silo => silo.AddOrbitGrains(settings)).Build();
            var endpoints = host.Services.GetRequiredService<IOptions<EndpointOptions>>().Value;
            Assert.Equal("orbitgrains-front-7d9f-x2k4q", host.Services.GetRequiredService<IOptions<SiloOptions>>().Value.SiloName);
            Assert.Equal(IPAddress.Parse("10.244.1.17"), endpoints.AdvertisedIPAddress);
            Assert.Equal(new IPEndPoint(IPAddress.Any, 11111), endpoints.SiloListeningEndpoint);
            Assert.Equal(new IPEndPoint(IPAddress.Any, 30000), endpoints.GatewayListeningEndpoint);
        }
        finally
        {
            foreach (var key in pod.Keys)
            {
                Environment.SetEnvironmentVariable(key, null);
            }
        }
    }
}
