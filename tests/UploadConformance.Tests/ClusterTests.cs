using System.Net.Http.Json;
using System.Text.Json;
using HdrHistogram;
using UploadConformance.Load;
using UploadConformance.Results;

namespace UploadConformance.Tests;

/// <summary>The reference server in a process of its own, as a target across process boundaries.</summary>
public sealed class ServeProcessFixture : IAsyncLifetime
{
    private UcProcess _serve = null!;

    public Uri Url { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _serve = new UcProcess("serve", "--port", "0", "--quiet");
        var line = await _serve.WaitForLineAsync(l => l.StartsWith("reference upload server on ",
            StringComparison.Ordinal));
        Url = new Uri(new Uri(line["reference upload server on ".Length..]), "/image");
    }

    /// <summary>Requests the server has answered so far.</summary>
    public async Task<long> RequestsAsync()
    {
        using var http = new HttpClient();
        using var stats = JsonDocument.Parse(await http.GetStringAsync(new Uri(Url, "/stats")));
        return stats.RootElement.GetProperty("requests").GetInt64();
    }

    public async Task DisposeAsync() => await _serve.DisposeAsync();
}

/// <summary>A coordinator and four workers, each a real uc process, against the reference server in a
/// fifth: the merged result is exact (every request counted once, percentiles of every sample), the
/// thresholds are the cluster's, abortOnFail stops every worker, and a worker killed mid-run is named.</summary>
public class ClusterTests(ServeProcessFixture server) : IClassFixture<ServeProcessFixture>
{
    private const int Workers = 4;

    private static string Temp(string what) =>
        Path.Combine(Path.GetTempPath(), $"uc-cluster-{what}-{Guid.NewGuid():N}");

    /// <summary>40 small uploads a second for <paramref name="seconds"/>: 10 a second for each worker.</summary>
    private static string Scenario(int seconds = 5, string thresholds = "[requests > 150, error_rate < 1%]",
        bool abortOnFail = false)
    {
        var path = Temp("scenario") + ".yaml";
        File.WriteAllText(path, $"""
            name: cluster
            seed: 3
            abortOnFail: {(abortOnFail ? "true" : "false")}
            mix:
              - {"{"} name: small, weight: 3, bytes: 20KiB {"}"}
              - {"{"} name: large, weight: 1, bytes: 200KiB {"}"}
            load:
              - inject: {"{"} rate: 40, interval: 1s, during: {seconds}s {"}"}
            thresholds: {thresholds}
            """);
        return path;
    }

    private sealed record Cluster(UcProcess Coordinator, IReadOnlyList<UcProcess> Workers, string Out,
        IReadOnlyList<string> WorkerOuts) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            foreach (var worker in Workers) await worker.DisposeAsync();
            await Coordinator.DisposeAsync();
        }
    }

    private async Task<Cluster> StartAsync(string scenario, params string[] more)
    {
        var output = Temp("coordinator");
        var coordinator = new UcProcess(["coordinate", "--workers", Workers.ToString(), "--scenario", scenario,
            "--target", server.Url.ToString(), "--listen", "127.0.0.1:0", "--wait", "60s", "--out", output, .. more]);
        var line = await coordinator.WaitForLineAsync(l => l.StartsWith("listening on ", StringComparison.Ordinal));
        var url = line["listening on ".Length..].Split(';')[0];
        var outs = Enumerable.Range(0, Workers).Select(i => Temp($"worker{i}")).ToList();
        // Each with its share's index, as a Kubernetes Indexed Job gives them.
        var workers = outs.Select((o, i) => new UcProcess("worker", "--coordinator", url, "--name", $"w{i}",
            "--index", i.ToString(), "--out", o)).ToList();
        return new Cluster(coordinator, workers, output, outs);
    }

    [Fact]
    public async Task Four_workers_merge_into_one_exact_result_with_the_clusters_thresholds()
    {
        var before = await server.RequestsAsync();
        var metricsPort = StackFixture.FreePort();
        await using var cluster =
            await StartAsync(Scenario(seconds: 10), "--metrics", $"prometheus:127.0.0.1:{metricsPort}");
        // A scraper of the coordinator's endpoint, as Prometheus would be: the last scrape it got.
        var scraping = ScrapeUntilGoneAsync(new Uri($"http://127.0.0.1:{metricsPort}/metrics"));
        var (code, _) = await cluster.Coordinator.ExitAsync(TimeSpan.FromMinutes(2));
        foreach (var worker in cluster.Workers)
            Assert.Equal(0, (await worker.ExitAsync(TimeSpan.FromSeconds(30))).Code);
        Assert.True(code == 0, cluster.Coordinator.Output);
        var merged = ResultsFile.Read(cluster.Out).Load!;

        // Every request once: the server's count, the plan's, the merged one agree exactly.
        Assert.Equal(400, merged.All.Requests);
        Assert.Equal(400, await server.RequestsAsync() - before);
        Assert.Equal(400, merged.Series.Sum(s => s.Requests));
        // The cluster's rate over the run it measured is the plan's 40 a second within 1 % (the count
        // alone is the plan's by construction; the time is what the four took together).
        Assert.True(Math.Abs(merged.All.Requests / (merged.DurationMs / 1000) - 40) <= 40 * 0.01,
            $"{merged.All.Requests} requests in {merged.DurationMs} ms");
        Assert.Equal(Workers, merged.Workers!.Count);
        Assert.All(merged.Workers, w => Assert.Equal(100, w.Requests));
        Assert.All(merged.Workers, w => Assert.Null(w.Lost));

        // The merged percentiles are those of one histogram of every sample, not an average of the
        // workers' percentiles.
        var parts = cluster.WorkerOuts.Select(o => ResultsFile.Read(o).Load!).ToList();
        var every = NameStats.NewHistogram();
        foreach (var part in parts) every.Add(HistogramCodec.Decode(part.All.LatencyHistogram));
        foreach (var p in new[] { 50.0, 95, 99, 99.9 })
            Assert.Equal(Math.Round(every.GetValueAtPercentile(p) / 1000.0, 3),
                p switch { 50 => merged.All.Latency.P50, 95 => merged.All.Latency.P95, 99 => merged.All.Latency.P99,
                    _ => merged.All.Latency.P999 });
        Assert.Equal(every.TotalCount, HistogramCodec.Decode(merged.All.LatencyHistogram).TotalCount);
        // Thresholds are the cluster's: 100 requests fail "requests > 150" on each worker, 400 pass it.
        Assert.All(parts, part => Assert.False(part.Thresholds.Single(t => t.Metric == "requests").Passed));
        Assert.True(merged.Thresholds.Single(t => t.Metric == "requests").Passed);
        // The same files merged offline give the same result.
        var offline = Temp("merge");
        Assert.Equal(0, await Cli.Cli.RunAsync(["merge", .. cluster.WorkerOuts, "--out", offline],
            new StringWriter(), new StringWriter(), CancellationToken.None));
        var again = ResultsFile.Read(offline).Load!;
        Assert.Equal((merged.All.Requests, merged.All.Ok, merged.All.Latency, merged.All.LatencyHistogram),
            (again.All.Requests, again.All.Ok, again.All.Latency, again.All.LatencyHistogram));
        Assert.Contains("load generators", await File.ReadAllTextAsync(Path.Combine(cluster.Out, "summary.md")));

        // The coordinator publishes the merged view live, and held its endpoint for a last scrape.
        var scraped = await scraping;
        Assert.Equal(400, Sum(scraped, "upload_requests_total"));
        Assert.Equal(400, Sum(scraped, "upload_request_duration_seconds_count"));
        Assert.Equal(merged.All.BytesSent, Sum(scraped, "upload_sent_bytes_total"));
    }

    private static async Task<string> ScrapeUntilGoneAsync(Uri endpoint)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var last = "";
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var answered = false;
        // Until the endpoint has answered and then stopped (the coordinator is gone), within two minutes.
        while (clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            try
            {
                last = await http.GetStringAsync(endpoint);
                answered = true;
            }
            catch (HttpRequestException) when (answered)
            {
                return last;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(500);
        }
        return last;
    }

    /// <summary>The sum of a metric's samples in Prometheus's text format.</summary>
    private static double Sum(string exposition, string metric) => exposition.Split('\n')
        .Where(l => l.StartsWith(metric + "{", StringComparison.Ordinal))
        .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public async Task A_threshold_breached_by_the_cluster_with_abortOnFail_stops_every_worker()
    {
        // 25 requests are 6 or 7 a worker: only the merged count breaches it, after about a second.
        await using var cluster = await StartAsync(Scenario(seconds: 20, thresholds: "[requests < 25]",
            abortOnFail: true));
        var (code, _) = await cluster.Coordinator.ExitAsync(TimeSpan.FromMinutes(1));
        Assert.True(code == 1, cluster.Coordinator.Output);
        var document = ResultsFile.Read(cluster.Out);
        Assert.StartsWith("threshold breached: requests < 25", document.Run.Interrupted);
        Assert.InRange(document.Load!.DurationMs, 500, 10_000);
        foreach (var output in cluster.WorkerOuts)
            Assert.StartsWith("threshold breached: requests < 25", ResultsFile.Read(output).Run.Interrupted);
    }

    [Fact]
    public async Task A_worker_killed_mid_run_is_named_lost_and_the_others_finish()
    {
        await using var cluster = await StartAsync(Scenario(seconds: 8));
        await cluster.Coordinator.WaitForLineAsync(l => l.Contains("workers 4/4", StringComparison.Ordinal)
            && l.Contains("[   3s", StringComparison.Ordinal));
        cluster.Workers[2].Signal(UcProcess.SigKill);
        var (code, _) = await cluster.Coordinator.ExitAsync(TimeSpan.FromMinutes(1));
        Assert.True(code == 4, cluster.Coordinator.Output);
        var document = ResultsFile.Read(cluster.Out);
        var lost = document.Load!.Workers!.Single(w => w.Lost is not null);
        Assert.Equal("w2", lost.Name);
        Assert.Contains("no report for 5 s", lost.Lost);
        Assert.InRange(lost.Requests, 1, 79);
        Assert.All(document.Load.Workers!.Where(w => w.Lost is null), w => Assert.Equal(80, w.Requests));
        // What the lost worker had sent is in the merge.
        Assert.Equal(3 * 80 + lost.Requests, document.Load.All.Requests);
        Assert.Contains("worker 2/4 (w2) lost after", document.Run.Interrupted);
        Assert.Contains("incomplete: worker 2/4 (w2)", cluster.Coordinator.Output);
    }
}
