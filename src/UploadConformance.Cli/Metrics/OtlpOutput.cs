using System.Diagnostics.Tracing;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;

namespace UploadConformance.Cli;

public abstract partial record MetricsSink
{
    /// <summary>OTLP over HTTP with protobuf bodies, to a collector's /v1/metrics, every second.</summary>
    public sealed record Otlp(Uri Endpoint) : MetricsSink
    {
        public static readonly Uri DefaultEndpoint = new("http://localhost:4318/v1/metrics");

        /// <summary>How long the last export may take: a collector that does not answer must not hold
        /// the run's end (nor a pod's termination) for the SDK's default 10 s.</summary>
        public const int TimeoutMs = 5000;

        public override string Argument => $"otlp:{Endpoint}";

        public override ILiveOutput Open(string scenario, string runId, TextWriter stdout) =>
            OtlpOutput.Open(this, scenario, runId, stdout);

        /// <summary><c>otlp</c>, <c>otlp:http://collector:4318</c> (the path /v1/metrics is added when
        /// there is none).</summary>
        internal static MetricsSink Read(string text, string? rest)
        {
            if (rest is null) return new Otlp(DefaultEndpoint);
            if (Uri.TryCreate(rest, UriKind.Absolute, out var url)
                && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps))
                return new Otlp(url.AbsolutePath is "" or "/" ? new Uri(url, "/v1/metrics") : url);
            throw new UsageException($"--metrics {text}: otlp takes an http:// or https:// URL of a collector, "
                + "such as otlp:http://127.0.0.1:4318");
        }
    }
}

/// <summary>OTLP over HTTP with protobuf bodies, to a collector's /v1/metrics, every second. A collector
/// that refuses or is not there is one line at the run's end, never its exit code; the last export
/// waits at most <see cref="MetricsSink.Otlp.TimeoutMs"/>.</summary>
public sealed partial class OtlpOutput : MeterOutput
{
    private readonly MetricsSink.Otlp _sink;
    private readonly ExportFailures _failures = new();

    private OtlpOutput(MetricsSink.Otlp sink, string scenario, string runId)
        : base(scenario, runId, builder => builder.AddOtlpExporter((exporter, reader) =>
        {
            exporter.Endpoint = sink.Endpoint;
            exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
            exporter.TimeoutMilliseconds = MetricsSink.Otlp.TimeoutMs;
            reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 1000;
            reader.TemporalityPreference = MetricReaderTemporalityPreference.Cumulative;
        })) => _sink = sink;

    public static OtlpOutput Open(MetricsSink.Otlp sink, string scenario, string runId, TextWriter stdout)
    {
        var output = new OtlpOutput(sink, scenario, runId);
        stdout.WriteLine($"metrics: OTLP (HTTP, protobuf) to {sink.Endpoint} every second");
        return output;
    }

    public override Task FinishAsync(TextWriter stdout, CancellationToken cancellationToken)
    {
        Provider.ForceFlush(cancellationToken.IsCancellationRequested ? 1000 : MetricsSink.Otlp.TimeoutMs);
        // The SDK reports a collector's failures only to its EventSource; a user reads this line.
        if (_failures is { Count: > 0 } failures)
            stdout.WriteLine($"metrics: {failures.Count} OTLP export{(failures.Count == 1 ? "" : "s")} to "
                + $"{_sink.Endpoint} failed; the first: {failures.First}");
        return Task.CompletedTask;
    }

    public override void Dispose()
    {
        base.Dispose();
        _failures.Dispose();
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
