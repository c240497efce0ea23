using OrbitGrains.Hosting;
using OrbitGrains.Silo;

return await OrbitHostRunner.RunAsync("orbitgrains-silo", async () =>
{
    var app = await HeadlessSilo.CreateAsync(args);
    await app.RunAsync();
});
