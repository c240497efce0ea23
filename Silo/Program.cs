using OrbitGrains.Hosting;
using OrbitGrains.Silo;

if (HealthProbe.IsProbe(args))
{
    return await HealthProbe.RunAsync(args,
        HealthProbe.LoopbackBase(Environment.GetEnvironmentVariable("HEALTH_PORT"), HeadlessSilo.DefaultHealthPort), Console.Out);
}

if (args is [SchemaCommand.Verb, ..])
{
    return await OrbitHostRunner.RunAsync("orbitgrains-silo schema", () => SchemaCommand.RunAsync(args[1..], Console.Out));
}

return await OrbitHostRunner.RunAsync("orbitgrains-silo", async () =>
{
    var app = await HeadlessSilo.CreateAsync(args);
    await app.RunAsync();
});
