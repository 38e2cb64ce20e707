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

    /// <summary>Runs a set-up command (npm ci, dotnet tool restore) once per test run, bounded in time,
    /// failing with its output so a missing prerequisite says what it is.</summary>
    public static async Task SetUpAsync(string file, string arguments, string workingDirectory)
    {
        var start = new ProcessStartInfo(file, arguments) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(bound.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"`{file} {arguments}` in {workingDirectory} failed ({process.ExitCode}): {await errors}{await output}");
    }

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

    public async Task InitializeAsync() => Server = await Server.StartAsync(new ReferenceServerOptions { MaxFileBytes = 32L << 20 });

    public async Task DisposeAsync()
    {
        Uploader.Dispose();
        Http.Dispose();
        await Server.DisposeAsync();
    }
}

/// <summary>busboy 1.6.0 on node, installed from the lockfile in tests/busboy-echo on first use.</summary>
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
            await Repo.SetUpAsync("npm", "ci --no-audit --no-fund", dir);
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
