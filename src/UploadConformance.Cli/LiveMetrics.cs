using System.CommandLine;
using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using UploadConformance.Live;
using UploadConformance.Results;

namespace UploadConformance.Cli;

/// <summary>One <c>--metrics</c> output: a Prometheus scrape endpoint, or OTLP pushed to a collector.</summary>
public abstract record MetricsSink
{
    public const int PrometheusPort = 9464;
    public static readonly Uri OtlpDefault = new("http://localhost:4318/v1/metrics");
    public const string Grammar = "prometheus[:<host>:<port>] or otlp[:<url>]";

    /// <summary>A scrape endpoint at http://host:port/metrics for the run's lifetime.</summary>
    public sealed record Prometheus(string Host, int Port) : MetricsSink
    {
        public string Url => $"http://{(Host.Contains(':') ? $"[{Host}]" : Host)}:{Port}/metrics";
    }

    /// <summary>OTLP over HTTP with protobuf bodies, to a collector's /v1/metrics, every second.</summary>
    public sealed record Otlp(Uri Endpoint) : MetricsSink;

    /// <summary>The sink as <c>--metrics</c> takes it.</summary>
    public static string Argument(MetricsSink sink) => sink switch
    {
        Prometheus p => $"prometheus:{(p.Host.Contains(':') ? $"[{p.Host}]" : p.Host)}:{p.Port}",
        Otlp o => $"otlp:{o.Endpoint}",
        _ => throw new ArgumentOutOfRangeException(nameof(sink)),
    };

    /// <summary>Reads <c>prometheus</c>, <c>prometheus:127.0.0.1:9464</c>, <c>prometheus:[::1]:9464</c>,
    /// <c>prometheus:0.0.0.0:9464</c> (every interface, in a pod), <c>otlp</c>,
    /// <c>otlp:http://collector:4318</c> (the path /v1/metrics is added when there is none).</summary>
    public static MetricsSink Parse(string text)
    {
        var colon = text.IndexOf(':');
        var (kind, rest) = colon >= 0 ? (text[..colon], text[(colon + 1)..]) : (text, null);
        switch (kind)
        {
            case "prometheus" when rest is null:
                return new Prometheus("127.0.0.1", PrometheusPort);
            case "prometheus":
                if (IPEndPoint.TryParse(rest, out var endpoint) && endpoint.Port > 0 && rest.Contains(':'))
                    return new Prometheus(endpoint.Address.ToString(), endpoint.Port);
                throw new UsageException($"--metrics {text}: prometheus takes <ip>:<port>, such as "
                    + $"prometheus:127.0.0.1:{PrometheusPort}");
            case "otlp" when rest is null:
                return new Otlp(OtlpDefault);
            case "otlp":
                if (Uri.TryCreate(rest, UriKind.Absolute, out var url)
                    && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps))
                    return new Otlp(url.AbsolutePath is "" or "/" ? new Uri(url, "/v1/metrics") : url);
                throw new UsageException($"--metrics {text}: otlp takes an http:// or https:// URL of a collector, "
                    + "such as otlp:http://127.0.0.1:4318");
            default:
                throw new UsageException($"--metrics: unknown sink '{text}'; the sinks are {Grammar}");
        }
    }
}

/// <summary>A run's live metrics: one <see cref="LoadMeter"/> and one OpenTelemetry meter provider per
/// sink, fed from the engine's (or coordinator's) one-second tick. results.json stays the exact
/// record; what goes out here is bucketed for dashboards.</summary>
public sealed partial class LiveMetrics : IDisposable
{
    /// <summary>How long the last OTLP export may take: a collector that does not answer must not hold
    /// the run's end (nor a pod's termination) for the SDK's default 10 s.</summary>
    private const int OtlpTimeoutMs = 5000;

    private readonly List<(MetricsSink Sink, LoadMeter Meter, MeterProvider Provider)> _outputs = [];
    private ExportFailures? _otlpFailures;

    private LiveMetrics()
    {
    }

    public static Option<string[]> Option() => new("--metrics")
    {
        HelpName = "sink",
        Description = $"live metrics while the run runs: {MetricsSink.Grammar} (several allowed, or a comma "
            + "between them)",
        AllowMultipleArgumentsPerToken = false,
    };

    public static IReadOnlyList<MetricsSink> Sinks(string[]? given) => (given ?? [])
        .SelectMany(g => g.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        .Select(MetricsSink.Parse).ToList();

    /// <summary>Opens every sink (a Prometheus port that is taken is a usage error), or none.</summary>
    public static LiveMetrics? Start(IReadOnlyList<MetricsSink> sinks, string scenario, string runId,
        TextWriter stdout)
    {
        if (sinks.Count == 0) return null;
        var live = new LiveMetrics();
        try
        {
            foreach (var sink in sinks) live.Add(sink, scenario, runId, stdout);
            return live;
        }
        catch
        {
            live.Dispose();
            throw;
        }
    }

    private void Add(MetricsSink sink, string scenario, string runId, TextWriter stdout)
    {
        var meter = new LoadMeter();
        var builder = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(r => r
                .AddService("uploadconformance", serviceVersion: ToolInfo.Current.Version, serviceInstanceId: runId)
                .AddAttributes([new("upload.scenario", scenario)]))
            .AddMeter(LoadMeter.MeterName)
            // Each sink has its own meter (a scrape counts only its own collections): this provider
            // takes only this sink's instruments.
            .AddView(instrument => ReferenceEquals(instrument.Meter, meter.Meter) ? null
                : MetricStreamConfiguration.Drop);
        switch (sink)
        {
            case MetricsSink.Prometheus prometheus:
                PortFree(prometheus);
                builder.AddPrometheusHttpListener(o =>
                {
                    o.Host = prometheus.Host is "0.0.0.0" or "::" ? "*" : prometheus.Host;
                    o.Port = prometheus.Port;
                    o.ScrapeResponseCacheDurationMilliseconds = 0;
                });
                stdout.WriteLine($"metrics: Prometheus can scrape {prometheus.Url}");
                break;
            case MetricsSink.Otlp otlp:
                builder.AddOtlpExporter((exporter, reader) =>
                {
                    exporter.Endpoint = otlp.Endpoint;
                    exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
                    exporter.TimeoutMilliseconds = OtlpTimeoutMs;
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 1000;
                    reader.TemporalityPreference = MetricReaderTemporalityPreference.Cumulative;
                });
                _otlpFailures ??= new ExportFailures();
                stdout.WriteLine($"metrics: OTLP (HTTP, protobuf) to {otlp.Endpoint} every second");
                break;
        }
        MeterProvider provider;
        try
        {
            provider = builder.Build();
        }
        catch (Exception e) when (sink is MetricsSink.Prometheus p)
        {
            meter.Dispose();
            throw new UsageException($"--metrics: cannot serve {p.Url}: {e.GetBaseException().Message}");
        }
        _outputs.Add((sink, meter, provider));
    }

    /// <summary>HttpListener reports a taken port late and vaguely; a bind says it at once.</summary>
    private static void PortFree(MetricsSink.Prometheus sink)
    {
        var address = sink.Host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(sink.Host);
        using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            probe.Bind(new IPEndPoint(address, sink.Port));
        }
        catch (SocketException e)
        {
            throw new UsageException(e.SocketErrorCode == SocketError.AddressAlreadyInUse
                ? $"--metrics: port {sink.Port} is in use; choose another with prometheus:{sink.Host}:<port>"
                : $"--metrics: cannot listen on {sink.Url}: {e.Message}");
        }
    }

    public void Publish(LiveTotals totals)
    {
        foreach (var output in _outputs) output.Meter.Publish(totals);
    }

    /// <summary>Publishes the run's final figures. A Prometheus that has been scraping gets one more
    /// scrape to read them (at most twice its interval, and a minute): otherwise the run's last
    /// seconds never reach it. Returns at once when <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task FinishAsync(LiveTotals final, TextWriter stdout, CancellationToken cancellationToken)
    {
        Publish(final);
        foreach (var (sink, meter, _) in _outputs)
        {
            // Only a Prometheus that scrapes regularly and lately gets waited for: one curl of the
            // endpoint made a run wait 22 s for a scrape that never came.
            if (sink is not MetricsSink.Prometheus prometheus || meter.Scraping() is not var (interval, since)
                || since > 2 * interval + TimeSpan.FromSeconds(1) || cancellationToken.IsCancellationRequested)
                continue;
            var bound = TimeSpan.FromSeconds(Math.Clamp(2 * interval.TotalSeconds + 1, 2, 60));
            var scraped = meter.NextCollectionAsync();
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"metrics: waiting for the last scrape of {prometheus.Url} (at most {bound.TotalSeconds:0} s)"));
            try
            {
                await scraped.WaitAsync(bound, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                stdout.WriteLine("metrics: no scrape came; Prometheus did not get the last figures");
            }
            catch (OperationCanceledException)
            {
                // Stopped by a signal: what matters is on disk already.
            }
        }
        foreach (var (sink, _, provider) in _outputs)
        {
            if (sink is not MetricsSink.Otlp otlp) continue;
            provider.ForceFlush(cancellationToken.IsCancellationRequested ? 1000 : OtlpTimeoutMs);
            // The SDK reports a collector's failures only to its EventSource; a user reads this line.
            if (_otlpFailures is { Count: > 0 } failures)
                stdout.WriteLine($"metrics: {failures.Count} OTLP export{(failures.Count == 1 ? "" : "s")} to "
                    + $"{otlp.Endpoint} failed; the first: {failures.First}");
        }
    }

    /// <summary>Stops the endpoints; OTLP sends its last export first, within a bound.</summary>
    public void Dispose()
    {
        foreach (var (_, meter, provider) in _outputs)
        {
            provider.Shutdown(OtlpTimeoutMs);
            provider.Dispose();
            meter.Dispose();
        }
        _outputs.Clear();
        _otlpFailures?.Dispose();
    }

    /// <summary>The OTLP exporter's own reports of exports that did not arrive: its EventSource's
    /// warnings and errors (a collector refusing, unreachable, timing out).</summary>
    private sealed partial class ExportFailures : EventListener
    {
        private const string Source = "OpenTelemetry-Exporter-OpenTelemetryProtocol";
        private long _count;
        private string? _first;

        public long Count => Interlocked.Read(ref _count);
        public string? First => _first;

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == Source) EnableEvents(source, EventLevel.Warning);
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.EventSource.Name != Source || e.Level is not (EventLevel.Critical or EventLevel.Error
                or EventLevel.Warning)) return;
            Interlocked.Increment(ref _count);
            // What went wrong in a user's words: the event, then the message without the exceptions' type
            // names ("System.Net.Http.HttpRequestException: Connection refused" is "Connection refused").
            var said = $"{e.EventName}: " + ExceptionType().Replace(
                string.Join(", ", (e.Payload ?? []).Select(p => p?.ToString()?.Split('\n')[0].Trim())), "");
            Interlocked.CompareExchange(ref _first,
                Text.UntrustedText.ForTerminal(said.Length > 200 ? said[..200] + "…" : said), null);
        }

        [System.Text.RegularExpressions.GeneratedRegex(@"\b(?:[A-Za-z_][\w]*\.)*[A-Za-z_]\w*Exception: ")]
        private static partial System.Text.RegularExpressions.Regex ExceptionType();
    }
}
