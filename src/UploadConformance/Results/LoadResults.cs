using UploadConformance.Load;
using UploadConformance.Scenarios;

namespace UploadConformance.Results;

/// <summary>The <c>load</c> section of results.json (schema in docs/results-schema.md).</summary>
public sealed record LoadResults
{
    public required string Scenario { get; init; }
    public string? Source { get; init; }
    public required string Model { get; init; }
    public required IReadOnlyList<string> Simulations { get; init; }
    public double DurationMs { get; init; }
    /// <summary>Connections the engine opened, and full TLS handshakes (equal when sessions are reused per
    /// connection).</summary>
    public long Connections { get; init; }
    public long TlsHandshakes { get; init; }
    /// <summary>TCP connect and TLS handshake times of those connections, kept apart from request latency.</summary>
    public LatencySummary? ConnectMs { get; init; }
    public LatencySummary? TlsHandshakeMs { get; init; }
    /// <summary>The same as HdrHistogram encodings (microseconds), so split runs merge them exactly.</summary>
    public string? ConnectHistogram { get; init; }
    public string? TlsHandshakeHistogram { get; init; }
    /// <summary>"i/n": this run was generator i (from 0) of n, and holds that share of the load.</summary>
    public string? Segment { get; init; }
    /// <summary>A merged run's generators, each with what it sent; null for one machine's run.</summary>
    public IReadOnlyList<WorkerResults>? Workers { get; init; }
    /// <summary>Requests sent by the lean HTTP/1.1 client and by HttpClient.</summary>
    public ClientShare? Clients { get; init; }
    public required LoadNameResults All { get; init; }
    public required IReadOnlyList<LoadNameResults> Names { get; init; }
    public required IReadOnlyList<SecondStats> Series { get; init; }
    public required IReadOnlyList<ThresholdResult> Thresholds { get; init; }

    public static LoadResults Of(Scenario scenario, LoadOutcome outcome) => new()
    {
        Scenario = scenario.Name,
        Source = scenario.Source,
        Model = scenario.IsOpen ? "open" : "closed",
        Simulations = scenario.Load.Select(s => s.ToString()).ToList(),
        DurationMs = Math.Round(outcome.Duration.TotalMilliseconds, 1),
        Connections = outcome.Connections,
        TlsHandshakes = outcome.TlsHandshakes,
        ConnectMs = outcome.ConnectTimes is { TotalCount: > 0 } c ? LatencySummary.Of(c) : null,
        TlsHandshakeMs = outcome.HandshakeTimes is { TotalCount: > 0 } h ? LatencySummary.Of(h) : null,
        ConnectHistogram = outcome.ConnectTimes is { TotalCount: > 0 } ch ? HistogramCodec.Encode(ch) : null,
        TlsHandshakeHistogram = outcome.HandshakeTimes is { TotalCount: > 0 } hh ? HistogramCodec.Encode(hh) : null,
        Segment = outcome.Segment?.ToString(),
        Clients = new ClientShare(outcome.SentByLeanClient, outcome.SentByHttpClient),
        All = LoadNameResults.Of("all", outcome.All, outcome.Duration),
        Names = outcome.ByName.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv =>
        LoadNameResults.Of(kv.Key, kv.Value, outcome.Duration)).ToList(),
        Series = outcome.Series,
        Thresholds = outcome.Thresholds,
    };
}

public sealed record ClientShare(long Lean, long HttpClient);

/// <summary>One generator of a merged run: its share, what it sent, its clock against the
/// coordinator's, and whether it was lost before it finished.</summary>
public sealed record WorkerResults(int Index, string Name, string Segment, long Requests, long Ok, long Failed,
    long Dropped, long BytesSent, long Connections, double DurationMs, double? ClockOffsetMs = null,
    string? Lost = null);

public sealed record LatencySummary(double P50, double P75, double P90, double P95, double P99, double P999,
    double Max, double Mean)
{
    public static LatencySummary Of(HdrHistogram.HistogramBase h)
    {
        double Ms(double p) => h.TotalCount == 0 ? 0 : Math.Round(h.GetValueAtPercentile(p) / 1000.0, 3);
        return new LatencySummary(Ms(50), Ms(75), Ms(90), Ms(95), Ms(99), Ms(99.9),
            h.TotalCount == 0 ? 0 : Math.Round(HdrHistogram.HistogramExtensions.GetMaxValue(h) / 1000.0, 3),
            h.TotalCount == 0 ? 0 : Math.Round(HdrHistogram.HistogramExtensions.GetMean(h) / 1000.0, 3));
    }
}

/// <summary>One request name's (or all requests') totals. Latencies are milliseconds: <c>latency</c>
/// from the intended start (coordinated omission corrected), <c>serviceTime</c> from the first body
/// byte. The histograms are HdrHistogram's compressed V2 encoding in base64, in microseconds.</summary>
public sealed record LoadNameResults(
    string Name,
    long Requests,
    long Ok,
    long Failed,
    long AbortedByScenario,
    long Dropped,
    double Rps,
    double ErrorRatePercent,
    long BytesSent,
    long BytesReceived,
    long FileBytesStored,
    IReadOnlyDictionary<string, long> Statuses,
    IReadOnlyDictionary<string, long> Errors,
    IReadOnlyDictionary<string, long> FailedChecks,
    LatencySummary Latency,
    LatencySummary ServiceTime,
    string LatencyHistogram,
    string ServiceTimeHistogram)
{
    public static LoadNameResults Of(string name, NameStats s, TimeSpan duration) => new(
        name, s.Requests, s.Ok, s.Failed, s.AbortedByScenario, s.Dropped,
        duration.TotalSeconds <= 0 ? 0 : Math.Round(s.Requests / duration.TotalSeconds, 2),
        Math.Round(s.ErrorRate, 3), s.BytesSent, s.BytesReceived, s.FileBytes,
        s.Statuses, s.Errors, s.FailedChecks,
        LatencySummary.Of(s.Corrected), LatencySummary.Of(s.ServiceTime),
        HistogramCodec.Encode(s.Corrected), HistogramCodec.Encode(s.ServiceTime));
}
