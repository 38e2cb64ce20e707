using System.Diagnostics.Tracing;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;

namespace UploadConformance.Cli;

/// <summary>OTLP over HTTP with protobuf bodies, to a collector's /v1/metrics, every second. A collector
/// that refuses or is not there is one line at the run's end, never its exit code; the last export
/// waits at most <see cref="MetricsSink.OtlpTimeoutMs"/>.</summary>
public sealed partial class OtlpOutput : MeterOutput
{
    private readonly MetricsSink.Otlp _sink;
    private readonly ExportFailures _failures = new();

    private OtlpOutput(MetricsSink.Otlp sink, string scenario, string runId)
        : base(scenario, runId, builder => builder.AddOtlpExporter((exporter, reader) =>
        {
            exporter.Endpoint = sink.Endpoint;
            exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
            exporter.TimeoutMilliseconds = MetricsSink.OtlpTimeoutMs;
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
        Provider.ForceFlush(cancellationToken.IsCancellationRequested ? 1000 : MetricsSink.OtlpTimeoutMs);
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
