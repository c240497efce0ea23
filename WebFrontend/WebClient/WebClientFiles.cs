using Microsoft.Extensions.FileProviders;

namespace OrbitGrains.WebFrontend.WebClient;

/// <summary>
/// Where the built web client is (Vite's output of WebFrontend/ClientApp, copied to `clientapp/` beside the product
/// by the build and by publish): `WEB_CLIENT_PATH` when set, else `clientapp/` beside the assembly, else
/// `ClientApp/dist` under the content root (a `vite build` by hand). Null when none has an index.html.
/// </summary>
public sealed class WebClientFiles
{
    public const string IndexFile = "index.html";

    private WebClientFiles(string root)
    {
        Root = root;
        Provider = new PhysicalFileProvider(root);
    }

    public string Root { get; }

    public IFileProvider Provider { get; }

    public string IndexPath => Path.Combine(Root, IndexFile);

    public static WebClientFiles? Locate(IConfiguration configuration, string contentRoot)
    {
        string?[] candidates =
        [
            configuration["WEB_CLIENT_PATH"],
            Path.Combine(AppContext.BaseDirectory, "clientapp"),
            Path.Combine(contentRoot, "ClientApp", "dist"),
        ];
        return candidates
            .Where(path => !string.IsNullOrWhiteSpace(path) && File.Exists(Path.Combine(path!, IndexFile)))
            .Select(path => new WebClientFiles(Path.GetFullPath(path!)))
            .FirstOrDefault();
    }
}
