using OrbitGrains.WebFrontend.Hosting;

return await OrbitWebApp.RunAsync(args);
