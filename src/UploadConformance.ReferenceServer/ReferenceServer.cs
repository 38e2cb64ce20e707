using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace UploadConformance.ReferenceServer;

/// <summary>The built-in upload server: the embedded default target of every verb, and a server a
/// user can point other tools at (<c>run.sh serve</c>).</summary>
public sealed class ReferenceServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ReferenceServer(WebApplication app, FileStore store, Uri baseUrl, ReferenceServerOptions options,
        string? certificatePem)
    {
        CertificatePath = certificatePem;
        _app = app;
        Store = store;
        BaseUrl = baseUrl;
        Options = options;
    }

    public Uri BaseUrl { get; }
    /// <summary>With HTTPS: the generated certificate as PEM, for clients to trust (<c>--ca</c>).</summary>
    public string? CertificatePath { get; }
    public Uri UploadUrl => new(BaseUrl, Options.UploadPath);
    public ReferenceServerOptions Options { get; }
    public FileStore Store { get; }

    /// <exception cref="ReferenceServerStartException">The port is taken or the storage folder cannot be
    /// used.</exception>
    public static async Task<ReferenceServer> StartAsync(ReferenceServerOptions options,
        CancellationToken cancellationToken = default)
    {
        FileStore.RemoveAbandoned();
        FileStore store;
        try
        {
            store = new FileStore(options.StorageDirectory, options.KeepBytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ReferenceServerStartException(
                $"--storage {options.StorageDirectory}: cannot keep uploads there ({OneLine(e.Message)})");
        }
        try
        {
            return await StartAsync(options, store, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // A server that never started leaves no folder behind.
            store.Dispose();
            // Kestrel reports a taken port as an IOException, an address this machine does not have as
            // the bind's own SocketException.
            if (e is System.Net.Sockets.SocketException { SocketErrorCode:
                System.Net.Sockets.SocketError.AddressNotAvailable })
                throw new ReferenceServerStartException(
                    $"cannot listen on {options.Host}:{options.Port}: this machine has no address {options.Host} "
                    + "(pick one of its own with --host, such as 127.0.0.1)");
            if (e is IOException or System.Net.Sockets.SocketException && e is not FileNotFoundException)
                throw new ReferenceServerStartException(
                    $"cannot listen on {options.Host}:{options.Port}: {OneLine(e.Message)} (pick another with "
                    + $"--port)");
            throw;
        }
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();

    private static async Task<ReferenceServer> StartAsync(ReferenceServerOptions options, FileStore store,
        CancellationToken cancellationToken)
    {
        var builder =
            WebApplication.CreateSlimBuilder(
            new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        // Stopping waits this long for uploads in flight; SIGTERM must end `serve` within a second.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(500));
        var certificate = options.Https ? GeneratedCertificate.Create() : null;
        string? certificatePem = null;
        if (certificate is not null)
        {
            certificatePem = Path.Combine(store.StorageDirectory, "reference-server-cert.pem");
            await File.WriteAllTextAsync(certificatePem, certificate.ExportCertificatePem(),
                cancellationToken).ConfigureAwait(false);
        }
        System.Security.Cryptography.X509Certificates.X509Certificate2Collection? clientCa = null;
        if (options.ClientCaFile is { } caFile)
        {
            if (certificate is null) throw new ArgumentException("a client CA needs HTTPS");
            clientCa = [];
            clientCa.ImportFromPemFile(caFile);
        }
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // The endpoint enforces its declared limits itself so that every refusal is JSON.
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.MaxConcurrentConnections = options.MaxConnections;
            kestrel.Listen(IPAddress.Parse(options.Host), options.Port, listen =>
            {
                if (certificate is null)
                {
                    if (options.H2c) listen.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http2;
                    return;
                }
                listen.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http1AndHttp2;
                if (clientCa is null)
                {
                    listen.UseHttps(certificate);
                    return;
                }
                listen.UseHttps(https =>
                {
                    https.ServerCertificate = certificate;
                    https.ClientCertificateMode =
                        Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.RequireCertificate;
                    https.ClientCertificateValidation = (client, _, _) =>
                    {
                        using var chain = new System.Security.Cryptography.X509Certificates.X509Chain();
                        chain.ChainPolicy.TrustMode =
                            System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
                        chain.ChainPolicy.CustomTrustStore.AddRange(clientCa);
                        chain.ChainPolicy.RevocationMode =
                            System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
                        return chain.Build(client);
                    };
                });
            });
        });
        builder.Services.AddSingleton(store);
        var app = builder.Build();
        var upload = new UploadEndpoint(options, store);

        app.MapPost(options.UploadPath, upload.HandleAsync);
        app.MapGet("/files/{id}", (string id, HttpContext context) =>
            store.TryGet(id, out var file)
                ? Results.File(file.Path, file.ContentType, enableRangeProcessing: true)
                : Results.Json(new Refusal(404, $"no file '{id}' (this server keeps the newest "
                    + $"{options.KeepBytes} bytes of files)"), statusCode: 404));
        var buckets = new StorageEndpoint(options, store.StorageDirectory);
        var backend = new FlowBackend(options, buckets, upload);
        // Each provider's routes spelled out: any other path stays a 404, as a probe of a wrong URL expects.
        foreach (var provider in StorageEndpoint.Providers)
        {
            if (provider == "qiniu") app.MapPost("/qiniu", (HttpContext context) =>
                buckets.HandleAsync(context, "qiniu", null));
            else app.MapPost($"/{provider}/{{bucket}}", (string bucket, HttpContext context) =>
                buckets.HandleAsync(context, provider, bucket));
            app.MapGet($"/{provider}/{{bucket}}/{{**key}}", (string bucket, string key) =>
                buckets.Get(provider, bucket, key));
        }
        app.MapPost("/flow/login", (System.Text.Json.JsonElement body) => backend.Login(body));
        app.MapGet("/flow/credential/{provider}", (string provider, HttpRequest request) =>
            backend.Credential(request, provider));
        app.MapPost("/flow/confirm", (HttpRequest request, System.Text.Json.JsonElement body) =>
            backend.Confirm(request, body));
        app.MapPost("/flow/image", backend.UploadAsync);
        app.MapGet("/stats", () => Results.Json(store.Snapshot(), ServerJson.Options));
        app.MapGet("/health", () => Results.Json(new { status = "ok" }));

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address =
            app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ReferenceServer(app, store, new Uri(address.Replace("[::]", "[::1]", StringComparison.Ordinal)),
            options, certificatePem);
    }

    public Task WaitForShutdownAsync(CancellationToken cancellationToken) =>
        _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        await _app.StopAsync(bound.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        Store.Dispose();
    }
}

/// <summary>The server could not start; the message is one line fit for the console.</summary>
public sealed class ReferenceServerStartException(string message) : Exception(message);
