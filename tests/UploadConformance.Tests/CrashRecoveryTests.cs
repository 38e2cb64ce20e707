using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using UploadConformance.Results;
using UploadConformance.Verification;

namespace UploadConformance.Tests;

/// <summary>A supervisor, as systemd, pm2 or Kubernetes is: runs <c>uc serve</c> on a fixed port and
/// starts it again whenever it exits.</summary>
public sealed class Supervisor : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public Supervisor(params string[] serveArgs)
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                var start =
                    new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true,
                    UseShellExecute = false };
                foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "uc.dll"), "serve", "--port",
                    Port.ToString(), "--quiet" }.Concat(serveArgs))
                    start.ArgumentList.Add(a);
                using var process = Process.Start(start)!;
                _ = process.StandardOutput.ReadToEndAsync();
                _ = process.StandardError.ReadToEndAsync();
                try
                {
                    await process.WaitForExitAsync(_stop.Token);
                }
                catch (OperationCanceledException)
                {
                    // Stopping the supervisor stops what it supervises, before the handle is gone.
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync();
                    return;
                }
                Starts++;
            }
        });
    }

    public int Port { get; }
    public Uri Url => new($"http://127.0.0.1:{Port}/image");

    /// <summary>How many times the server exited and was started again.</summary>
    public int Starts { get; private set; }

    public async Task WaitUntilUpAsync()
    {
        using var http = new HttpClient();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                using var response = await http.GetAsync(new Uri(Url, "/health"));
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
                // Starting; a process gives no readiness signal but answering.
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("the supervised server did not come up");
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _loop;
    }
}

/// <summary>A crash is a fail of the case that caused it, not the end of the run: with a supervisor
/// restarting the server the catalog goes on, and the crash is counted and named.</summary>
public class CrashRecoveryTests
{
    private static async Task<(int Code, ResultsDocument Results, string Output)> ConformAsync(Supervisor server,
        string recovery)
    {
        var dir = Path.Combine(Path.GetTempPath(), "uc-crash-" + Guid.NewGuid().ToString("N"));
        var profile = dir + ".yaml";
        await File.WriteAllTextAsync(profile,
            "field: images\nanyField: true\nlimits: { maxFileBytes: 32MiB, maxParts: 1000, maxFieldBytes: 2MiB }\n");
        var stdout = new StringWriter();
        var code = await Cli.Cli.RunAsync(
            ["conform", "--target", server.Url.ToString(), "--profile", profile, "--suite", "wire",
            "--recovery", recovery, "--out", dir], stdout, new StringWriter(), CancellationToken.None);
        return (code, ResultsFile.Read(dir), stdout.ToString());
    }

    [Fact]
    public async Task A_server_that_crashes_and_is_restarted_fails_the_case_that_killed_it_and_the_run_goes_on()
    {
        await using var server =
            new Supervisor("--field", "*", "--max-file-bytes", "32MiB", "--defect", "crash-on-truncated-body");
        await server.WaitUntilUpAsync();
        var (code, results, output) = await ConformAsync(server, "30s");

        Assert.True(code == 1, output);
        var killer = results.Cases.Single(c => c.Id == "wire.closing-boundary.missing");
        Assert.Equal(Verdict.Fail, killer.Verdict);
        Assert.StartsWith("the server died:", killer.Reason);
        Assert.True(killer.Crash is { Recovered: true }, output);
        var crash = Assert.Single(results.Crashes, c => c.Case == "wire.closing-boundary.missing");
        Assert.True(crash.DownMs > 0);
        Assert.True(results.Summary.Crashes >= 1);
        Assert.True(server.Starts >= 1);
        // The catalog went on past the crash: every wire case has a verdict, and the last ones pass.
        Assert.Equal(22, results.Cases.Count);
        Assert.Equal(Verdict.Pass, results.Cases.Single(c => c.Id == "wire.name.semicolon-quoted").Verdict);
        Assert.Null(results.Run.Interrupted);
        Assert.Contains("crash after wire.closing-boundary.missing", output);
    }

    [Fact]
    public async Task With_no_recovery_the_run_stops_at_the_crash_with_exit_3_and_keeps_what_it_has()
    {
        await using var server =
            new Supervisor("--field", "*", "--max-file-bytes", "32MiB", "--defect", "crash-on-truncated-body");
        await server.WaitUntilUpAsync();
        var (code, results, output) = await ConformAsync(server, "0");

        Assert.True(code == 3, output);
        Assert.Equal("wire.closing-boundary.missing", results.Cases[^1].Id);
        Assert.StartsWith("target stopped answering after wire.closing-boundary.missing", results.Run.Interrupted);
        Assert.False(results.Crashes.Single().Recovered);
    }
}
