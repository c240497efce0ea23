using OrbitGrains.Hosting;
using OrbitGrains.Silo;

if (HealthProbe.IsProbe(args))
{
    return await HealthProbe.RunAsync(args,
        HealthProbe.LoopbackBase(Environment.GetEnvironmentVariable("HEALTH_PORT"), HeadlessSilo.DefaultHealthPort), Console.Out);
}

return await OrbitHostRunner.RunAsync("orbitgrains-silo", async () =>
{
    var app = await HeadlessSilo.CreateAsync(args);
    await app.RunAsync();
});
