using OrbitGrains.Hosting;
using OrbitGrains.WebFrontend.Hosting;

if (HealthProbe.IsProbe(args))
{
    return await HealthProbe.RunAsync(args,
        HealthProbe.LoopbackBase(Environment.GetEnvironmentVariable("PORT"), 8080), Console.Out);
}

return await OrbitWebApp.RunAsync(args);
