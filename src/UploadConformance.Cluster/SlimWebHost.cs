using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace UploadConformance.Cluster;

/// <summary>The small web servers the tool runs for itself (a coordinator's API, the live dashboard): Kestrel
/// on one endpoint, no logging of its own (the tool says what matters in one line), no Server header, and a
/// stop that takes half a second at most, so the end of a run is not held up.</summary>
public static class SlimWebHost
{
    public static WebApplication Build(IPEndPoint listen)
    {
        var builder = WebApplication.CreateSlimBuilder(
            new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(500));
        builder.WebHost.UseKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(listen);
        });
        return builder.Build();
    }
}
