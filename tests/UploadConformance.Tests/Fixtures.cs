using System.Diagnostics;
using UploadConformance.ReferenceServer;
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
    public CaseRunner Runner => new(Uploader, Http, Probe);
    public TargetProbe Probe => new(Http, Server.UploadUrl);

    public async Task InitializeAsync() => Server = await Server.StartAsync(new ReferenceServerOptions { MaxFileBytes = 32L << 20 });

    public async Task DisposeAsync()
    {
        Uploader.Dispose();
        Http.Dispose();
        await Server.DisposeAsync();
    }
}

/// <summary>busboy 1.6.0 on node, installed by `npm ci` in tests/busboy-echo (.ci/run does it).</summary>
public sealed class BusboyFixture : IAsyncLifetime
{
    private Process? _node;

    public Uri Url { get; private set; } = null!;
    public HttpClient Http { get; } = new(Uploader.CreateHandler());
    public Uploader Uploader { get; } = new();

    public async Task InitializeAsync()
    {
        var dir = Path.Combine(Repo.Root, "tests", "busboy-echo");
        if (!Directory.Exists(Path.Combine(dir, "node_modules", "busboy")))
            throw new InvalidOperationException($"busboy is not installed: run `npm ci --prefix {dir}` (.ci/run does this)");
        _node = Process.Start(new ProcessStartInfo("node", "server.js")
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        })!;
        using var ready = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var line = await _node.StandardOutput.ReadLineAsync(ready.Token) ?? throw new InvalidOperationException("busboy echo server exited before listening");
        Url = new Uri($"http://127.0.0.1:{line.Split(' ')[1]}/upload");
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
