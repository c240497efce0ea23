using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using OrbitGrains.Hosting;

namespace OrbitGrains.WebFrontend.Hardening;

/// <summary>
/// Behind a reverse proxy: FORWARDED_PROXIES (comma list of proxy addresses or CIDR networks) makes ASP.NET Core's
/// forwarded-headers handling take the client address, scheme and host from X-Forwarded-For/-Proto/-Host, but only
/// from those proxies. Limits and audit entries then key on the real client. Unset, forwarded headers are ignored.
/// </summary>
public static class ForwardedHeadersSetup
{
    public static ForwardedHeadersOptions? Load(IConfiguration configuration)
    {
        var entries = (configuration["FORWARDED_PROXIES"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (entries.Length == 0)
        {
            return null;
        }

        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost,
            // Every hop is unwound while it comes from a configured proxy; the first one that does not is the client.
            ForwardLimit = null,
        };
        // The defaults trust loopback: only what is configured is trusted.
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var entry in entries)
        {
            if (entry.Contains('/') && System.Net.IPNetwork.TryParse(entry, out var network))
            {
                options.KnownIPNetworks.Add(network);
            }
            else if (IPAddress.TryParse(entry, out var address))
            {
                options.KnownProxies.Add(address);
            }
            else
            {
                throw new OrbitConfigurationException($"FORWARDED_PROXIES entry '{entry}' is not an IP address or a CIDR network (such as 10.0.0.0/8).");
            }
        }

        return options;
    }

    public static IApplicationBuilder UseOrbitForwardedHeaders(this IApplicationBuilder app, ForwardedHeadersOptions? options) =>
        options is null ? app : app.UseForwardedHeaders(options);
}
