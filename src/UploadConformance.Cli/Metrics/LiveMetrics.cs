using System.CommandLine;
using System.Net;
using UploadConformance.Live;

namespace UploadConformance.Cli;

/// <summary>One <c>--metrics</c> output: a Prometheus scrape endpoint, or OTLP pushed to a collector.</summary>
public abstract record MetricsSink
{
    public const int PrometheusPort = 9464;
    public static readonly Uri OtlpDefault = new("http://localhost:4318/v1/metrics");
    public const string Grammar = "prometheus[:<host>:<port>] or otlp[:<url>]";

    /// <summary>How long the last OTLP export may take: a collector that does not answer must not hold
    /// the run's end (nor a pod's termination) for the SDK's default 10 s.</summary>
    public const int OtlpTimeoutMs = 5000;

    /// <summary>Opens this output for a run (see <see cref="ILiveOutput"/>).</summary>
    public abstract ILiveOutput Open(string scenario, string runId, TextWriter stdout);

    /// <summary>A scrape endpoint at http://host:port/metrics for the run's lifetime.</summary>
    public sealed record Prometheus(string Host, int Port) : MetricsSink
    {
        public string Url => $"http://{(Host.Contains(':') ? $"[{Host}]" : Host)}:{Port}/metrics";

        public override ILiveOutput Open(string scenario, string runId, TextWriter stdout) =>
            PrometheusOutput.Open(this, scenario, runId, stdout);
    }

    /// <summary>OTLP over HTTP with protobuf bodies, to a collector's /v1/metrics, every second.</summary>
    public sealed record Otlp(Uri Endpoint) : MetricsSink
    {
        public override ILiveOutput Open(string scenario, string runId, TextWriter stdout) =>
            OtlpOutput.Open(this, scenario, runId, stdout);
    }

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

/// <summary>A run's live metrics: one <see cref="ILiveOutput"/> per <c>--metrics</c> sink, fed from the
/// engine's (or coordinator's) one-second tick. results.json stays the exact record; what goes out here
/// is bucketed for dashboards.</summary>
public sealed class LiveMetrics : IDisposable
{
    private readonly List<ILiveOutput> _outputs = [];

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
            foreach (var sink in sinks) live._outputs.Add(sink.Open(scenario, runId, stdout));
            return live;
        }
        catch
        {
            live.Dispose();
            throw;
        }
    }

    public void Publish(LiveTotals totals)
    {
        foreach (var output in _outputs) output.Publish(totals);
    }

    /// <summary>Publishes the run's final figures, then lets each output finish (a last scrape, a last
    /// export), each bounded. Returns at once when <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task FinishAsync(LiveTotals final, TextWriter stdout, CancellationToken cancellationToken)
    {
        Publish(final);
        foreach (var output in _outputs) await output.FinishAsync(stdout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the endpoints; OTLP sends its last export first, within a bound.</summary>
    public void Dispose()
    {
        foreach (var output in _outputs) output.Dispose();
        _outputs.Clear();
    }
}
