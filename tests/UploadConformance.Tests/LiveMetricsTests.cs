using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using HdrHistogram;
using UploadConformance.Live;
using UploadConformance.Load;
using UploadConformance.Results;
using UploadConformance.Wire;

namespace UploadConformance.Tests;

/// <summary>Live metrics: the instruments read exactly what the engine recorded (a MeterListener), a real
/// Prometheus 2.42 scrapes a real run and agrees with results.json, OTLP really leaves for a loopback
/// listener, the Grafana dashboard's queries name what Prometheus holds, and bad sinks are one line.</summary>
public partial class LiveMetricsTests(ServeProcessFixture server) : IClassFixture<ServeProcessFixture>
{
    private static readonly HashSet<string> BoundedLabels =
    [
        "upload.request.name", "upload.outcome", "upload.status_class", "error.type", "http.request.method",
        "upload.threshold", "upload.phase",
    ];

    // Half the latency is service time: a tenth of it sending, the rest the server's (waiting).
    private static RequestSample Sample(string name, double ms, int status = 200) => new(name,
        TimeSpan.FromMilliseconds(ms), TimeSpan.FromMilliseconds(ms / 2), status, FailureKind.None, status < 400,
        false, null, 1000, 100, 500)
    {
        Phases = new UploadPhases(TimeSpan.FromMilliseconds(ms / 20), TimeSpan.FromMilliseconds(ms * 0.45),
            TimeSpan.FromMilliseconds(0.01)),
    };

    private static LiveTotals Totals(params RequestSample[] samples)
    {
        var all = new NameStats();
        var byName = new Dictionary<string, NameStats>();
        foreach (var s in samples)
        {
            all.Record(s);
            if (!byName.TryGetValue(s.Name, out var stats)) byName[s.Name] = stats = new NameStats();
            stats.Record(s);
        }
        return new LiveTotals(all, byName, 3,
            [new ThresholdResult("p99 < 1s", null, "p99", 5, true), new ThresholdResult("requests > 9", null,
                "requests", samples.Length, samples.Length > 9)]);
    }

    /// <summary>Every measurement a listener sees from one meter, with its labels.</summary>
    private sealed class Seen : IDisposable
    {
        private readonly MeterListener _listener = new();
        public List<(string Instrument, double Value, Dictionary<string, string> Labels)> Measurements { get; } = [];

        public Seen(Meter meter)
        {
            _listener.InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter, meter)) l.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
            _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
            _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Add(i, v, tags));
            _listener.Start();
        }

        private void Add(Instrument i, double v, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var labels = new Dictionary<string, string>();
            foreach (var t in tags) labels[t.Key] = t.Value?.ToString() ?? "";
            Measurements.Add((i.Name, v, labels));
        }

        public List<(string Instrument, double Value, Dictionary<string, string> Labels)> Collect()
        {
            Measurements.Clear();
            _listener.RecordObservableInstruments();
            return [.. Measurements];
        }

        public void Dispose() => _listener.Dispose();
    }

    [Fact]
    public void The_instruments_read_the_last_tick_and_histograms_record_only_what_was_gained()
    {
        using var meter = new LoadMeter();
        using var seen = new Seen(meter.Meter);
        Assert.Empty(seen.Collect());

        var first = new[] { Sample("small", 1.2), Sample("small", 3.4), Sample("large", 250), Sample("large", 9, 500) };
        meter.Publish(Totals(first));
        var recorded = seen.Measurements.Where(m => m.Instrument == "upload.request.duration").ToList();
        Assert.Equal(4, recorded.Count);
        // Seconds, at HdrHistogram's precision (three digits) of what was measured.
        Assert.Equal(new[] { 0.0012, 0.0034, 0.009, 0.25 }, recorded.Select(m => m.Value).Order(),
            new Tolerance(0.001));
        Assert.Equal(4, seen.Measurements.Count(m => m.Instrument == "http.client.request.duration"
            && m.Labels["http.request.method"] == "POST"));
        // Each upload's phases, one measurement per phase, labelled by it: the server's 250 ms upload waited 112.5.
        var phases = seen.Measurements.Where(m => m.Instrument == "upload.phase.duration").ToList();
        Assert.Equal(16, phases.Count);
        Assert.Equal(["blocked", "receiving", "sending", "waiting"],
            phases.Select(m => m.Labels["upload.phase"]).Distinct().Order());
        Assert.Equal(0.1125, phases.Where(m => m.Labels["upload.phase"] == "waiting").Max(m => m.Value),
            new Tolerance(0.001));

        var counters = seen.Collect();
        double Value(string instrument, params (string Key, string Value)[] labels) => counters
            .Where(m => m.Instrument == instrument && labels.All(l => m.Labels.GetValueOrDefault(l.Key) == l.Value))
            .Sum(m => m.Value);
        Assert.Equal(2, Value("upload.requests", ("upload.request.name", "small"), ("upload.outcome", "ok")));
        Assert.Equal(1, Value("upload.requests", ("upload.request.name", "large"), ("upload.outcome", "failed")));
        Assert.Equal(1, Value("upload.responses", ("upload.status_class", "5xx")));
        Assert.Equal(0, Value("upload.responses", ("upload.status_class", "4xx")));
        Assert.Equal(1, Value("upload.errors", ("error.type", "http_status")));
        Assert.Equal(4000, Value("upload.sent"));
        Assert.Equal(3, Value("http.client.active_requests"));
        Assert.Equal(1, Value("upload.threshold.passing", ("upload.threshold", "p99 < 1s")));
        Assert.Equal(0, Value("upload.threshold.passing", ("upload.threshold", "requests > 9")));
        Assert.All(counters.SelectMany(m => m.Labels.Keys), key => Assert.Contains(key, BoundedLabels));
        Assert.Equal(2, meter.Collections);

        // The next tick's totals hold six more; only those six are recorded, and the counters move on.
        var more = first.Concat(Enumerable.Range(0, 6).Select(i => Sample("small", 2 + i))).ToArray();
        meter.Publish(Totals(more));
        Assert.Equal(6, seen.Measurements.Count(m => m.Instrument == "upload.request.duration"));
        counters = seen.Collect();
        Assert.Equal(8, Value("upload.requests", ("upload.request.name", "small")));
        Assert.Equal(1, Value("upload.threshold.passing", ("upload.threshold", "requests > 9")));
    }

    private sealed class Tolerance(double relative) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= relative * Math.Max(Math.Abs(x), Math.Abs(y));
        public int GetHashCode(double obj) => 0;
    }

    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var code = await Cli.Cli.RunAsync(args, stdout, stderr, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task An_unknown_sink_or_a_taken_port_is_one_line_and_exit_code_2()
    {
        var (code, _, err) = await Run("load", "--scenario", "smoke", "--metrics", "statsd:127.0.0.1:8125");
        Assert.Equal(2, code);
        Assert.Equal("uc: --metrics: unknown sink 'statsd:127.0.0.1:8125'; the sinks are prometheus[:<host>:<port>] "
            + "or otlp[:<url>] or dashboard[:<host>:<port>]", err.Trim());

        (code, _, err) = await Run("load", "--scenario", "smoke", "--metrics", "prometheus:9464");
        Assert.Equal(2, code);
        Assert.Contains("prometheus takes <ip>:<port>", err);
        Assert.Single(err.Trim().Split('\n'));

        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var output = Path.Combine(Path.GetTempPath(), $"uc-metrics-taken-{Guid.NewGuid():N}");
        (code, _, err) = await Run("load", "--scenario", "smoke", "--duration", "1s", "--out", output,
            "--metrics", $"otlp:http://127.0.0.1:9,prometheus:127.0.0.1:{port}");
        Assert.Equal(2, code);
        Assert.Equal($"uc: --metrics: port {port} is in use; choose another with prometheus:127.0.0.1:<port>",
            err.Trim());

        // The dashboard on a taken port, likewise: one line, exit 2, nothing run.
        (code, _, err) = await Run("load", "--scenario", "smoke", "--duration", "1s", "--out", output,
            "--dashboard", $"127.0.0.1:{port}");
        Assert.Equal(2, code);
        Assert.StartsWith($"uc: --dashboard: cannot serve http://127.0.0.1:{port}/", err.Trim());
        Assert.Single(err.Trim().Split('\n'));
    }

    private static string Scenario(int rate, int seconds)
    {
        var path = Path.Combine(Path.GetTempPath(), $"uc-metrics-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, $$"""
            name: live-metrics
            seed: 7
            mix:
              - { name: small, bytes: 2KiB }
            load:
              - inject: { rate: {{rate}}, interval: 1s, during: {{seconds}}s }
            thresholds:
              - error_rate < 1%
            """);
        return path;
    }

    /// <summary>Prometheus 2.42 from Debian on loopback, scraping one target every second.</summary>
    private sealed class Prometheus : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly string _folder;
        public HttpClient Http { get; } = new();
        public Uri Url { get; }

        private Prometheus(Process process, string folder, Uri url) =>
            (_process, _folder, Url) = (process, folder, url);

        public static async Task<Prometheus> StartAsync(int targetPort)
        {
            await Prerequisites.PrometheusAsync();
            var folder = Path.Combine(Path.GetTempPath(), $"uc-prometheus-{Guid.NewGuid():N}");
            Directory.CreateDirectory(folder);
            await File.WriteAllTextAsync(Path.Combine(folder, "prometheus.yml"), $"""
                global:
                  scrape_interval: 1s
                  scrape_timeout: 900ms
                scrape_configs:
                  - job_name: uc
                    static_configs:
                      - targets: ['127.0.0.1:{targetPort}']
                """);
            var port = StackFixture.FreePort();
            var start = new ProcessStartInfo("/usr/bin/prometheus")
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            foreach (var a in new[] { $"--config.file={folder}/prometheus.yml", $"--storage.tsdb.path={folder}/data",
                $"--web.listen-address=127.0.0.1:{port}" }) start.ArgumentList.Add(a);
            var process = Process.Start(start)!;
            var log = process.StandardError.ReadToEndAsync();
            var prometheus = new Prometheus(process, folder, new Uri($"http://127.0.0.1:{port}/"));
            try
            {
                await StackFixture.WaitAnsweringAsync(prometheus.Http, new Uri(prometheus.Url, "-/ready"), process,
                    TimeSpan.FromSeconds(60), () => log);
                return prometheus;
            }
            catch
            {
                // A Prometheus that never became ready is still running: it must not outlive the test.
                await prometheus.DisposeAsync();
                throw;
            }
        }

        public async Task<JsonElement> QueryAsync(string query, DateTimeOffset? at = null)
        {
            var url = $"api/v1/query?query={Uri.EscapeDataString(query)}"
                + (at is { } t ? string.Create(CultureInfo.InvariantCulture,
                    $"&time={t.ToUnixTimeMilliseconds() / 1000.0:0.000}") : "");
            using var document = JsonDocument.Parse(await Http.GetStringAsync(new Uri(Url, url)));
            Assert.Equal("success", document.RootElement.GetProperty("status").GetString());
            return document.RootElement.GetProperty("data").GetProperty("result").Clone();
        }

        /// <summary>The one value of an instant query's vector, or null when it is empty.</summary>
        public async Task<double?> ScalarAsync(string query, DateTimeOffset? at = null) =>
            await QueryAsync(query, at) is { ValueKind: JsonValueKind.Array } result && result.GetArrayLength() == 1
                ? double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture)
                : null;

        /// <summary>The sum over a selector's series of their last samples, and when it was taken
        /// (the newest of them); null before the first.</summary>
        public async Task<(DateTimeOffset At, double Value)?> LastSampleAsync(string selector)
        {
            var series = await QueryAsync($"{selector}[5m]");
            if (series.GetArrayLength() == 0) return null;
            var lasts = series.EnumerateArray().Select(s => s.GetProperty("values")[s.GetProperty("values")
                .GetArrayLength() - 1]).ToList();
            var at = lasts.Max(v => v[0].GetDouble());
            return (DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(at * 1000)),
                lasts.Sum(v => double.Parse(v[1].GetString()!, CultureInfo.InvariantCulture)));
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            Http.Dispose();
            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    [Fact]
    public async Task Prometheus_scraping_a_run_agrees_with_results_json()
    {
        var metricsPort = StackFixture.FreePort();
        await using var prometheus = await Prometheus.StartAsync(metricsPort);
        var output = Path.Combine(Path.GetTempPath(), $"uc-metrics-run-{Guid.NewGuid():N}");
        await using var run = new UcProcess("load", "--scenario", Scenario(rate: 40, seconds: 46), "--target",
            server.Url.ToString(), "--metrics", $"prometheus:127.0.0.1:{metricsPort}", "--out", output);
        // The engine's first tick: about a second after its start, on this machine's clock.
        await run.WaitForLineAsync(l => l.TrimStart().StartsWith("[   1s", StringComparison.Ordinal));
        var started = DateTimeOffset.UtcNow - TimeSpan.FromSeconds(1);
        var (code, _) = await run.ExitAsync(TimeSpan.FromMinutes(2));
        Assert.True(code == 0, run.Output);
        Assert.Contains("metrics: waiting for the last scrape", run.Output);
        var results = ResultsFile.Read(output).Load!;
        Assert.Equal(1840, results.All.Requests);

        // The count: the run waited for Prometheus to scrape its final figures; Prometheus stores a scrape
        // once it has read it, so the test asks until it has (a bound, not a guess). The next scrape
        // finds the run gone and marks its series stale, so every later query is made at the time of
        // the last sample.
        var clock = Stopwatch.StartNew();
        (DateTimeOffset At, double Value)? last;
        while ((last = await prometheus.LastSampleAsync("upload_requests_total{job=\"uc\"}")) is not { } found
            || found.Value != results.All.Requests)
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(10)) break;
            await Task.Delay(100);
        }
        Assert.Equal(results.All.Requests, last?.Value);
        var end = last!.Value.At;

        // The rate, over the run's steady middle: seconds 4 to 44 of the 46. The counters are the engine's
        // once a second, so a scrape that comes just before a tick reads the second before: over 40 s that
        // is 2.5 % at an end, as over a dashboard's minute it is 1.7 %.
        var rate = await prometheus.ScalarAsync("sum(rate(upload_requests_total{job=\"uc\"}[40s]))",
            started + TimeSpan.FromSeconds(44));
        Assert.NotNull(rate);
        Assert.InRange(rate!.Value, 40 * 0.95, 40 * 1.05);

        // p99: Prometheus's estimate lies in the bucket that holds the exact p99 of results.json.
        var p99 = await prometheus.ScalarAsync(
            "histogram_quantile(0.99, sum by (le) (upload_request_duration_seconds_bucket{job=\"uc\"}))", end);
        var exact = HistogramCodec.Decode(results.All.LatencyHistogram).GetValueAtPercentile(99) / 1e6;
        var upper = LoadMeter.DurationBuckets.First(b => b >= exact);
        var lower = LoadMeter.DurationBuckets.LastOrDefault(b => b < exact);
        Assert.InRange(p99!.Value, lower, upper);
        Assert.Equal(results.All.Requests, await prometheus.ScalarAsync(
            "sum(upload_request_duration_seconds_count{job=\"uc\"})", end));
        Assert.Equal(results.All.BytesSent,
            await prometheus.ScalarAsync("sum(upload_sent_bytes_total{job=\"uc\"})", end));
        Assert.Equal(1, await prometheus.ScalarAsync("min(upload_threshold_passing{job=\"uc\"})", end));

        await TheDashboardAsksForWhatPrometheusHolds(prometheus, end);
    }

    /// <summary>Grafana cannot run here; its dashboard's queries can: every metric and label they name
    /// exists in what Prometheus scraped, and every query runs.</summary>
    private static async Task TheDashboardAsksForWhatPrometheusHolds(Prometheus prometheus,
        DateTimeOffset at)
    {
        using var names = JsonDocument.Parse(await prometheus.Http.GetStringAsync(
            new Uri(prometheus.Url, "api/v1/label/__name__/values")));
        var metrics = names.RootElement.GetProperty("data").EnumerateArray().Select(e => e.GetString()!).ToHashSet();
        using var labelsDocument = JsonDocument.Parse(await prometheus.Http.GetStringAsync(
            new Uri(prometheus.Url, "api/v1/labels")));
        var labels = labelsDocument.RootElement.GetProperty("data").EnumerateArray().Select(e => e.GetString()!)
            .ToHashSet();
        using var dashboard = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Repo.Root, "docs",
            "grafana", "uploadconformance-dashboard.json")));
        var queries = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray()).Select(t => t.GetProperty("expr").GetString()!)
            .ToList();
        Assert.True(queries.Count >= 10);
        foreach (var query in queries)
        {
            foreach (var metric in MetricName().Matches(query).Select(m => m.Groups[1].Value))
                Assert.True(metrics.Contains(metric),
                    $"{metric} (in {query}) is not among {string.Join(", ", metrics)}");
            foreach (var label in LabelName().Matches(query)
                .SelectMany(m => (m.Groups[1].Value + "," + m.Groups[2].Value).Split(',',
                    StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
                Assert.True(labels.Contains(label), $"label {label} (in {query}) is not among "
                    + string.Join(", ", labels));
            var runnable = query.Replace("$__rate_interval", "5s").Replace("$job", "uc");
            Assert.True((await prometheus.QueryAsync(runnable, at)).GetArrayLength() > 0,
                $"no result for {runnable}");
        }
    }

    /// <summary>A metric: a name before its selector (labels such as upload_outcome have none).</summary>
    [GeneratedRegex(@"\b((?:upload|http_client)_[a-z_]+)\{")]
    private static partial Regex MetricName();

    /// <summary>Labels in <c>by (…)</c> and in selectors' <c>{label=…}</c>.</summary>
    [GeneratedRegex(@"(?:by \(([a-z_, ]+)\)|[{,] *([a-z_]+) *[=!]~?)")]
    private static partial Regex LabelName();

    [Fact]
    public async Task Otlp_sends_protobuf_to_the_collectors_path_every_second()
    {
        var port = StackFixture.FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var posts = new List<(TimeSpan At, string Method, string Path, string? Type, string? Key, byte[] Body)>();
        var clock = Stopwatch.StartNew();
        var receiving = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                lock (posts) posts.Add((clock.Elapsed, context.Request.HttpMethod, context.Request.Url!.AbsolutePath,
                    context.Request.ContentType, context.Request.Headers["x-api-key"], body.ToArray()));
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        });
        var output = Path.Combine(Path.GetTempPath(), $"uc-metrics-otlp-{Guid.NewGuid():N}");
        // A collector's credentials come as OpenTelemetry's standard variable says, never on the command line.
        Environment.SetEnvironmentVariable("OTEL_EXPORTER_OTLP_HEADERS", "x-api-key=secret-for-the-test");
        int code;
        string stdout;
        try
        {
            (code, stdout, _) = await Run("load", "--scenario", Scenario(rate: 20, seconds: 4), "--target",
                server.Url.ToString(), "--metrics", $"otlp:http://127.0.0.1:{port}", "--out", output);
        }
        finally
        {
            Environment.SetEnvironmentVariable("OTEL_EXPORTER_OTLP_HEADERS", null);
        }
        listener.Stop();
        await receiving;
        Assert.True(code == 0, stdout);
        Assert.Contains($"metrics: OTLP (HTTP, protobuf) to http://127.0.0.1:{port}/v1/metrics every second", stdout);
        Assert.DoesNotContain("OTLP exports to", stdout);
        Assert.DoesNotContain("OTLP export to", stdout);

        lock (posts)
        {
            // Four seconds of run at one export a second, and the last one when the run ends.
            Assert.InRange(posts.Count, 4, 12);
            Assert.All(posts, p =>
            {
                Assert.Equal(("POST", "/v1/metrics", "application/x-protobuf", "secret-for-the-test"),
                    (p.Method, p.Path, p.Type, p.Key));
                Assert.NotEmpty(p.Body);
            });
            // A second apart on average (the last export is the final flush, whenever the run ends; a
            // busy machine delays single timer ticks).
            var periodic = posts.SkipLast(1).ToList();
            Assert.InRange((periodic[^1].At - periodic[0].At).TotalSeconds / (periodic.Count - 1), 0.5, 1.5);
            // Protobuf keeps strings as they are: the instruments and the request name are in the last export.
            var last = Encoding.UTF8.GetString(posts[^1].Body);
            foreach (var text in new[] { "upload.requests", "upload.request.duration", "http.client.request.duration",
                "upload.request.name", "small", "uploadconformance" })
                Assert.Contains(text, last);
        }
    }

    [Fact]
    public async Task A_collector_that_is_not_there_is_said_in_one_line_and_does_not_fail_the_run()
    {
        var port = StackFixture.FreePort();
        var output = Path.Combine(Path.GetTempPath(), $"uc-metrics-nocollector-{Guid.NewGuid():N}");
        var (code, stdout, _) = await Run("load", "--scenario", Scenario(rate: 20, seconds: 2), "--target",
            server.Url.ToString(), "--metrics", $"otlp:http://127.0.0.1:{port}", "--out", output);
        // The exit code is the target's verdict; the metrics' trouble is said, once.
        Assert.True(code == 0, stdout);
        var said = Assert.Single(stdout.Split('\n'), l => l.StartsWith("metrics: ", StringComparison.Ordinal)
            && l.Contains("failed", StringComparison.Ordinal));
        Assert.Matches($@"^metrics: \d+ OTLP exports? to http://127.0.0.1:{port}/v1/metrics failed; the first: "
            + "FailedToReachCollector: ", said);
        Assert.DoesNotContain("Exception", said);
        Assert.Equal(40, ResultsFile.Read(output).Load!.All.Requests);
    }

    [Fact]
    public async Task Sigterm_with_a_scraped_endpoint_writes_the_results_and_stops_without_waiting_for_a_scrape()
    {
        var metricsPort = StackFixture.FreePort();
        var output = Path.Combine(Path.GetTempPath(), $"uc-metrics-sigterm-{Guid.NewGuid():N}");
        await using var run = new UcProcess("load", "--scenario", Scenario(rate: 20, seconds: 60), "--target",
            server.Url.ToString(), "--metrics", $"prometheus:127.0.0.1:{metricsPort}", "--out", output);
        await run.WaitForLineAsync(l => l.TrimStart().StartsWith("[   2s", StringComparison.Ordinal));
        // Scraped once, so a normal end would wait for one more scrape; a signal must not.
        using (var http = new HttpClient())
            Assert.Contains("upload_requests_total",
                await http.GetStringAsync($"http://127.0.0.1:{metricsPort}/metrics"));
        run.Signal(UcProcess.SigTerm);
        var (code, after) = await run.ExitAsync(TimeSpan.FromSeconds(20));
        Assert.True(code == 143, run.Output);
        Assert.True(after < TimeSpan.FromSeconds(5), $"{after} after SIGTERM");
        Assert.DoesNotContain("waiting for the last scrape", run.Output);
        var results = ResultsFile.Read(output);
        Assert.Contains("SIGTERM", results.Run.Interrupted);
        Assert.InRange(results.Load!.All.Requests, 40, 200);
    }
}
