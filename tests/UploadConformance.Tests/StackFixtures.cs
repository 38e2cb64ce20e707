using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using UploadConformance.Wire;

namespace UploadConformance.Tests;

/// <summary>A server of another stack, started from the repository's own files on a free loopback
/// port, installed first when missing (<see cref="Prerequisites"/>), and stopped with its files.</summary>
public abstract class StackFixture : IAsyncLifetime, IStackServer
{
    private Process? _process;
    private readonly string _work = Path.Combine(Path.GetTempPath(), "uc-stack-" + Guid.NewGuid().ToString("N"));

    public Uri Url { get; private set; } = null!;
    public HttpClient Http { get; } = new(Uploader.CreateHandler());
    public Uploader Uploader { get; } = new();
    protected string Work => _work;

    /// <summary>Installs what the stack needs and says how to start it on <paramref name="port"/>.</summary>
    protected abstract Task<ProcessStartInfo> PrepareAsync(int port);

    protected virtual string UploadPath => "/upload";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_work);
        var port = FreePort();
        var start = await PrepareAsync(port);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        _process = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start");
        var output = _process.StandardOutput.ReadToEndAsync();
        var errors = _process.StandardError.ReadToEndAsync();
        Url = new Uri($"http://127.0.0.1:{port}{UploadPath}");
        // A JVM takes seconds to answer.
        await WaitAnsweringAsync(Http, new Uri(Url, "/health"), _process, TimeSpan.FromSeconds(90),
            async () => $"{GetType().Name} did not start: {await errors}{await output}");
    }

    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>Polls <paramref name="health"/> until it answers 2xx: a server started by a test has no
    /// readiness signal but answering (Prometheus answers 503 while it starts). Fails with
    /// <paramref name="whyNot"/> when the process exits or the bound passes.</summary>
    public static async Task WaitAnsweringAsync(HttpClient http, Uri health, Process process, TimeSpan bound,
        Func<Task<string>> whyNot)
    {
        var clock = Stopwatch.StartNew();
        var last = "no answer";
        while (clock.Elapsed < bound && !process.HasExited)
        {
            try
            {
                using var response = await http.GetAsync(health);
                if (response.IsSuccessStatusCode) return;
                last = $"{(int)response.StatusCode} {response.ReasonPhrase}";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            await Task.Delay(50);
        }
        throw new InvalidOperationException(process.HasExited ? await whyNot()
            : $"{health}: not ready within {bound.TotalSeconds:0} s ({last})");
    }

    public async Task DisposeAsync()
    {
        Uploader.Dispose();
        Http.Dispose();
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        try { Directory.Delete(_work, recursive: true); } catch (IOException) { }
    }
}

/// <summary>PHP 8.2's built-in server with tests/php-server/router.php, php.ini's defaults
/// (upload_max_filesize 2M, post_max_size 8M, max_file_uploads 20, max_input_vars 1000) or the
/// limits raised as PHP's documentation tells users to.</summary>
public abstract class PhpFixture(string[] ini, bool checksErrors = true) : StackFixture
{
    protected override async Task<ProcessStartInfo> PrepareAsync(int port)
    {
        await Prerequisites.PhpAsync();
        var start = new ProcessStartInfo("/usr/bin/php8.2")
        {
            WorkingDirectory = Path.Combine(Repo.Root, "tests", "php-server"),
        };
        // -n: php.ini's built-in defaults, whatever the machine's php.ini says; errors logged, not shown
        // in answers, as php.ini-production and Debian's packages set it.
        string[] defaults = ["-n", "-d", "display_errors=0", "-d", "log_errors=1"];
        foreach (var a in defaults.Concat(ini.SelectMany(i => new[] { "-d", i }))
            .Concat(["-S", $"127.0.0.1:{port}", "router.php"]))
            start.ArgumentList.Add(a);
        start.Environment["UC_STORE"] = Path.Combine(Work, "store");
        if (!checksErrors) start.Environment["UC_PHP_UNCHECKED"] = "1";
        // The built-in server answers one request at a time unless told to fork workers.
        start.Environment["PHP_CLI_SERVER_WORKERS"] = "4";
        return start;
    }
}

public sealed class PhpDefaultsFixture() : PhpFixture([]);

public sealed class PhpRaisedFixture() : PhpFixture(["upload_max_filesize=64M", "post_max_size=80M"]);

/// <summary>php.ini's defaults under a handler that never checks <c>$_FILES[…]['error']</c>.</summary>
public sealed class PhpUncheckedFixture() : PhpFixture([], checksErrors: false);

/// <summary>Debian's Tomcat 10.1 with its defaults, running tests/tomcat-server's servlet compiled by
/// javac into an exploded web application, in a Tomcat instance of the fixture's own.</summary>
public sealed class TomcatFixture : StackFixture
{
    private const string Home = "/usr/share/tomcat10";

    protected override async Task<ProcessStartInfo> PrepareAsync(int port)
    {
        await Prerequisites.TomcatAsync();
        var classes = Path.Combine(Work, "webapps", "ROOT", "WEB-INF", "classes");
        Directory.CreateDirectory(classes);
        foreach (var dir in new[] { "logs", "temp", "work", "conf", "store" })
            Directory.CreateDirectory(Path.Combine(Work, dir));
        var source = Path.Combine(Repo.Root, "tests", "tomcat-server", "src", "UploadServlet.java");
        await Run("/usr/bin/javac", ["-d", classes, "-cp", $"{Home}/lib/servlet-api.jar", source]);
        // Debian's own conf (the default servlet, MIME types, class loaders), and the connector as its
        // server.xml ships it (maxParameterCount 1000 included), bound to loopback on a free port.
        foreach (var file in new[] { "web.xml", "catalina.properties" })
            File.Copy(Path.Combine("/etc/tomcat10", file), Path.Combine(Work, "conf", file));
        await File.WriteAllTextAsync(Path.Combine(Work, "conf", "server.xml"), $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <Server port="-1" shutdown="SHUTDOWN">
              <Service name="Catalina">
                <Connector port="{port}" address="127.0.0.1" protocol="HTTP/1.1" connectionTimeout="20000"
                           maxParameterCount="1000" />
                <Engine name="Catalina" defaultHost="localhost">
                  <Host name="localhost" appBase="webapps" unpackWARs="false" autoDeploy="false" />
                </Engine>
              </Service>
            </Server>
            """);
        var start = new ProcessStartInfo("/usr/bin/java");
        foreach (var a in new[]
        {
            $"-Dcatalina.home={Home}", $"-Dcatalina.base={Work}", $"-Djava.io.tmpdir={Path.Combine(Work, "temp")}",
            $"-Duc.store={Path.Combine(Work, "store")}", "-cp", $"{Home}/bin/bootstrap.jar:{Home}/bin/tomcat-juli.jar",
            "org.apache.catalina.startup.Bootstrap", "start",
        })
            start.ArgumentList.Add(a);
        return start;
    }

    private static async Task Run(string file, string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} failed: {await errors}{await output}");
    }
}

/// <summary>tests/aspnet-server: a minimal API taking an IFormFile, with ASP.NET Core's defaults.</summary>
public sealed class AspNetFixture : StackFixture
{
    protected override Task<ProcessStartInfo> PrepareAsync(int port)
    {
        // Built before the tests (a project reference that is not referenced), in the tests' configuration.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var dll = Path.Combine(Repo.Root, "tests", "aspnet-server", "bin", configuration, "net10.0",
            "aspnet-server.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"{dll} is not built; build the solution first");
        var start = new ProcessStartInfo("dotnet");
        foreach (var a in new[] { dll, "--urls", $"http://127.0.0.1:{port}" }) start.ArgumentList.Add(a);
        start.Environment["UC_STORE"] = Path.Combine(Work, "store");
        return Task.FromResult(start);
    }
}
