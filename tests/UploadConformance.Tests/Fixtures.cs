using System.Diagnostics;
using UploadConformance.ReferenceServer;
using UploadConformance.Targets;
using UploadConformance.Verification;
using UploadConformance.Wire;
using Server = UploadConformance.ReferenceServer.ReferenceServer;

namespace UploadConformance.Tests;

public static class Repo
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "UploadConformance.sln"))) return dir.FullName;
        throw new InvalidOperationException("UploadConformance.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>One reference server on a free loopback port, shared by a test class.</summary>
public sealed class ReferenceServerFixture : IAsyncLifetime
{
    public Server Server { get; private set; } = null!;
    public HttpClient Http { get; } = new(Uploader.CreateHandler());
    public Uploader Uploader { get; } = new();
    public CaseRunner Runner => new(Uploader, Http, TargetProfile.Reference(Server.UploadUrl));

    public async Task InitializeAsync() => Server =
        await Server.StartAsync(new ReferenceServerOptions { MaxFileBytes = 32L << 20 });

    public async Task DisposeAsync()
    {
        Uploader.Dispose();
        Http.Dispose();
        await Server.DisposeAsync();
    }
}

/// <summary>A node server from tests/&lt;folder&gt;, installed from its lockfile on first use, on an
/// ephemeral loopback port it prints as "listening &lt;port&gt;"; it exits when its stdin closes.</summary>
public abstract class NodeServerFixture(string folder, string path, string arguments = "")
    : IAsyncLifetime, IStackServer
{
    private Process? _node;

    public Uri Url { get; private set; } = null!;
    public HttpClient Http { get; } = new(Uploader.CreateHandler());
    public Uploader Uploader { get; } = new();

    public async Task InitializeAsync()
    {
        var dir = Path.Combine(Repo.Root, "tests", folder);
        await Prerequisites.NpmAsync(dir);
        _node = Process.Start(new ProcessStartInfo("node", $"server.js {arguments}")
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        // Stack traces the server logs for refused requests are its business, not the test output's.
        _ = _node.StandardError.ReadToEndAsync();
        using var ready = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var line = await _node.StandardOutput.ReadLineAsync(ready.Token)
            ?? throw new InvalidOperationException($"{folder}/server.js exited before listening");
        Url = new Uri($"http://127.0.0.1:{line.Split(' ')[1]}{path}");
    }

    public Task DisposeAsync()
    {
        Uploader.Dispose();
        Http.Dispose();
        if (_node is { HasExited: false })
        {
            _node.StandardInput.Close();
            _node.Kill();
            _node.WaitForExit();
        }
        _node?.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>busboy 1.6.0 behind a plain node http server that echoes what it parsed.</summary>
public sealed class BusboyFixture() : NodeServerFixture("busboy-echo", "/upload");

/// <summary>express 4 + multer 2, as a tutorial writes an upload endpoint.</summary>
public sealed class MulterFixture() : NodeServerFixture("multer-server", "/upload");

/// <summary>The same, with multer's defParamCharset set to utf8, as its docs tell users to.</summary>
public sealed class MulterUtf8Fixture() : NodeServerFixture("multer-server", "/upload", "--utf8");

/// <summary>busboy echoing formData as an object, a repeated name as an array (formidable's and Flask's
/// shape).</summary>
public sealed class BusboyObjectFixture() : NodeServerFixture("busboy-echo", "/upload", "--fields object");

/// <summary>The same with busboy's Latin-1 default for names: a server that garbles non-ASCII names.</summary>
public sealed class BusboyLatin1Fixture() : NodeServerFixture("busboy-echo", "/upload",
    "--fields object --charset latin1");

/// <summary>A one-file endpoint that refuses a second file with a JSON 413.</summary>
public sealed class OneFileRefusingFixture() : NodeServerFixture("busboy-echo", "/upload",
    "--max-files 1 --over refuse");

/// <summary>A one-file endpoint that keeps the first file, drops the rest and says 200.</summary>
public sealed class OneFileKeepingFixture() : NodeServerFixture("busboy-echo", "/upload", "--max-files 1 --over keep");

/// <summary>Answers with a key, no URL, and serves files at /files/&lt;sha256&gt; and /blob?key=.</summary>
public sealed class KeyAnswerFixture() : NodeServerFixture("busboy-echo", "/upload", "--answer key");

/// <summary>Debian's nginx proxying to a reference server: plain with its default
/// client_max_body_size (1m), or as a TLS terminator with HTTP/2 and a test certificate. It is
/// installed when missing (<see cref="Prerequisites"/>); config, certificate and temp paths live in
/// a folder of the fixture's own.</summary>
/// <param name="http">More of nginx's <c>http</c> block (<c>keepalive_requests 100;</c>).</param>
public abstract class NginxFixtureBase(bool tls, string http = "") : IAsyncLifetime, IStackServer
{
    private Process? _nginx;
    private Server? _backend;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "uc-nginx-" + Guid.NewGuid().ToString("N"));

    public Uri Url { get; private set; } = null!;
    public TlsOptions Tls { get; private set; } = TlsOptions.Default;
    public HttpClient Http { get; private set; } = null!;
    public Uploader Uploader { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Prerequisites.NginxAsync();
        _backend = await Server.StartAsync(new ReferenceServerOptions { FileField = "*", MaxFileBytes = 32L << 20 });
        Directory.CreateDirectory(_dir);
        Url = new Uri($"{(tls ? "https" : "http")}://127.0.0.1:{StackFixture.FreePort()}/image");
        var listen = $"listen 127.0.0.1:{Url.Port};";
        if (tls)
        {
            var (certificate, keyPem) = ReferenceServer.GeneratedCertificate.CreateWithKey();
            await File.WriteAllTextAsync(Path.Combine(_dir, "cert.pem"), certificate.ExportCertificatePem());
            await File.WriteAllTextAsync(Path.Combine(_dir, "key.pem"), keyPem);
            listen = $"listen 127.0.0.1:{Url.Port} ssl http2; ssl_certificate {_dir}/cert.pem; ssl_certificate_key "
                + $"{_dir}/key.pem; client_max_body_size 64m;";
            Tls = new TlsOptions { CaFile = Path.Combine(_dir, "cert.pem"),
                Http = System.Net.HttpVersion.Version20 }.Load();
        }
        Http = new HttpClient(Uploader.CreateHandler(tls: Tls));
        Uploader = new Uploader(Tls);
        var temp = string.Concat(
            new[] { "client_body", "proxy", "fastcgi", "uwsgi", "scgi" }.Select(t => $"{t}_temp_path {_dir}/{t}; "));
        await File.WriteAllTextAsync(Path.Combine(_dir, "nginx.conf"), $$"""
            daemon off;
            user root;
            worker_processes 1;
            pid {{_dir}}/nginx.pid;
            error_log {{_dir}}/error.log;
            events { worker_connections 256; }
            http {
              access_log off;
              {{temp}}
              {{http}}
              server {
                {{listen}}
                location / {
                  proxy_pass {{_backend.BaseUrl.ToString().TrimEnd('/')}};
                  proxy_http_version 1.1;
                  proxy_set_header Host $http_host;
                  proxy_set_header X-Forwarded-Proto $scheme;
                }
              }
            }
            """);
        _nginx = Process.Start(
            new ProcessStartInfo("/usr/sbin/nginx", $"-p {_dir} -c {_dir}/nginx.conf") { UseShellExecute = false,
            RedirectStandardError = true })!;
        _ = _nginx.StandardError.ReadToEndAsync();
        await StackFixture.WaitAnsweringAsync(Http, new Uri(Url, "/health"), _nginx, TimeSpan.FromSeconds(20),
            async () => $"nginx did not start: {await File.ReadAllTextAsync(Path.Combine(_dir, "error.log"))}");
    }

    public async Task DisposeAsync()
    {
        Uploader.Dispose();
        Http.Dispose();
        if (_nginx is { HasExited: false })
        {
            _nginx.Kill(entireProcessTree: true);
            await _nginx.WaitForExitAsync();
        }
        _nginx?.Dispose();
        if (_backend is not null) await _backend.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}

public sealed class NginxFixture() : NginxFixtureBase(tls: false);

public sealed class NginxTlsFixture() : NginxFixtureBase(tls: true);
