using System.Diagnostics;
using UploadConformance.Results;

namespace UploadConformance.Tests;

/// <summary>The uc process as docker stop, systemd, Kubernetes and CI cancellation meet it: a real
/// child process, a real signal. SIGTERM and SIGINT each stop a run cleanly, write what was
/// gathered, and exit 143 or 130.</summary>
public class SignalTests
{
    private const int SigInt = UcProcess.SigInt;
    private const int SigKill = UcProcess.SigKill;
    private const int SigTerm = UcProcess.SigTerm;

    private static string Storage(string output) =>
        output.Split('\n').Single(l =>
        l.TrimStart().StartsWith("storage: ", StringComparison.Ordinal)).Split("storage: ")[1].Split(" (")[0];

    [Theory]
    [InlineData(SigTerm, 143)]
    [InlineData(SigInt, 130)]
    public async Task Serve_stops_within_a_second_of_SIGTERM_or_SIGINT_and_removes_its_storage(int signal, int exitCode)
    {
        await using var uc = new UcProcess("serve", "--port", "0", "--quiet");
        await uc.WaitForLineAsync(l => l.StartsWith("Ctrl-C or SIGTERM stops it", StringComparison.Ordinal));
        var storage = Storage(uc.Output);
        Assert.True(Directory.Exists(storage));
        uc.Signal(signal);
        var (code, after) = await uc.ExitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(exitCode, code);
        Assert.False(Directory.Exists(storage), $"{storage} is still there");
        Assert.True(after < TimeSpan.FromSeconds(3), $"serve took {after.TotalMilliseconds:0} ms to stop");
    }

    [Fact]
    public async Task A_server_killed_with_SIGKILL_leaves_its_folder_and_the_next_start_removes_it()
    {
        string storage;
        await using (var uc = new UcProcess("serve", "--port", "0", "--quiet"))
        {
            await uc.WaitForLineAsync(l => l.StartsWith("Ctrl-C or SIGTERM stops it", StringComparison.Ordinal));
            storage = Storage(uc.Output);
            uc.Signal(SigKill);
            await uc.ExitAsync(TimeSpan.FromSeconds(10));
        }
        Assert.True(Directory.Exists(storage), "SIGKILL cannot be handled, so the folder stays behind");
        await using (await ReferenceServer.ReferenceServer.StartAsync(new ReferenceServer.ReferenceServerOptions()))
            Assert.False(Directory.Exists(storage), $"{storage} of a dead process was not removed");
    }

    [Fact]
    public async Task Load_stopped_by_SIGTERM_writes_what_it_gathered_and_exits_143()
    {
        var dir = Path.Combine(Path.GetTempPath(), "uc-sigterm-" + Guid.NewGuid().ToString("N"));
        var scenario = Path.Combine(Path.GetTempPath(), $"uc-sigterm-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(scenario,
            "mix:\n  - { name: small, bytes: 2000 }\nload:\n  - inject: { rate: 20, interval: 1s, during: 30s }\n");
        await using var uc = new UcProcess("load", "--scenario", scenario, "--out", dir);
        await uc.WaitForLineAsync(l => l.Contains("[   2s / 30s]", StringComparison.Ordinal));
        uc.Signal(SigTerm);
        var (code, _) = await uc.ExitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(143, code);
        var results = ResultsFile.Read(dir);
        Assert.Equal("terminated by SIGTERM", results.Run.Interrupted);
        Assert.True(results.Load!.All.Requests >= 20, $"{results.Load.All.Requests} requests");
        Assert.True(results.Load.DurationMs < 15_000, $"{results.Load.DurationMs} ms: the run went on after SIGTERM");
        Assert.True(File.Exists(Path.Combine(dir, "index.html")) && File.Exists(Path.Combine(dir, "junit.xml")));
        Assert.Contains("terminated by SIGTERM", uc.Output);
    }

    [Fact]
    public async Task Conform_stopped_by_SIGTERM_keeps_the_cases_it_finished_and_exits_143()
    {
        var dir = Path.Combine(Path.GetTempPath(), "uc-sigterm-" + Guid.NewGuid().ToString("N"));
        await using var uc = new UcProcess("conform", "--suite", "wx", "--out", dir);
        await uc.WaitForLineAsync(l => l.Contains("wx.name.unicode", StringComparison.Ordinal));
        uc.Signal(SigTerm);
        var (code, _) = await uc.ExitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(143, code);
        var results = ResultsFile.Read(dir);
        Assert.Equal("terminated by SIGTERM", results.Run.Interrupted);
        Assert.Contains(results.Cases, c => c.Id == "wx.name.unicode");
        Assert.True(results.Cases.Count < 60, $"{results.Cases.Count} cases: the run went on after SIGTERM");
    }
}
