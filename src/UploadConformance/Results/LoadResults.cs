using System.ComponentModel;
using UploadConformance.Load;
using UploadConformance.Scenarios;

namespace UploadConformance.Results;

/// <summary>The <c>load</c> section of results.json (schema in docs/results-schema.md).</summary>
[Description("A load run: totals, a row per request name, a row per second, thresholds.")]
public sealed record LoadResults
{
    [Description("The scenario's name.")]
    public required string Scenario { get; init; }
    [Description("Its file.")]
    public string? Source { get; init; }
    [Description("`open` or `closed`.")]
    public required string Model { get; init; }
    [Description("The load simulations, as NBomber writes them.")]
    public required IReadOnlyList<string> Simulations { get; init; }
    [Description("How long the load ran.")]
    public double DurationMs { get; init; }
    /// <summary>Connections the engine opened, and full TLS handshakes (equal when sessions are reused per
    /// connection).</summary>
    [Description("Connections opened.")]
    public long Connections { get; init; }
    [Description("Full TLS handshakes (≤ connections; resumed sessions are not counted).")]
    public long TlsHandshakes { get; init; }
    /// <summary>TCP connect and TLS handshake times of those connections, kept apart from request latency.</summary>
    [Description("TCP connect times of the connections, apart from uploads; null when none were measured.")]
    public LatencySummary? ConnectMs { get; init; }
    [Description("TLS handshake times, apart from connect and upload; null on http://.")]
    public LatencySummary? TlsHandshakeMs { get; init; }
    /// <summary>The same as HdrHistogram encodings (microseconds), so split runs merge them exactly.</summary>
    [Description("The connect times as an HdrHistogram (compressed V2, base64, microseconds), so split runs merge "
        + "them.")]
    public string? ConnectHistogram { get; init; }
    [Description("The TLS handshake times, likewise.")]
    public string? TlsHandshakeHistogram { get; init; }
    /// <summary>"i/n": this run was generator i (from 0) of n, and holds that share of the load.</summary>
    [Description("`i/n` when this run was generator i (from 0) of a run split across n (`load --segment`, `worker`).")]
    public string? Segment { get; init; }
    /// <summary>A merged run's generators, each with what it sent; null for one machine's run.</summary>
    [Description("A merged run's generators (`coordinate`, `merge`); null for one machine's run.")]
    public IReadOnlyList<WorkerResults>? Workers { get; init; }
    /// <summary>Requests sent by the lean HTTP/1.1 client and by HttpClient.</summary>
    [Description("Requests sent by each client.")]
    public ClientShare? Clients { get; init; }
    [Description("Every request name together.")]
    public required LoadNameResults All { get; init; }
    [Description("A row per request name.")]
    public required IReadOnlyList<LoadNameResults> Names { get; init; }
    [Description("A row per second of the run, by completion.")]
    public required IReadOnlyList<SecondStats> Series { get; init; }
    [Description("Each threshold with its actual value.")]
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

[Description("Requests per client.")]
public sealed record ClientShare(
    [property: Description("Sent by the lean HTTP/1.1 client.")]
    long Lean,
    [property: Description("Sent by HttpClient (HTTP/2, aborts, pacing, chunked).")]
    long HttpClient);

/// <summary>One generator of a merged run: its share, what it sent, its clock against the
/// coordinator's, and whether it was lost before it finished.</summary>
[Description("One generator of a merged run.")]
public sealed record WorkerResults(
    [property: Description("Its share's number, from 0.")]
    int Index,
    [property: Description("The name it registered with (a pod's name), or its run folder's.")]
    string Name,
    [property: Description("Its share, `i/n`.")]
    string Segment,
    [property: Description("Requests it finished.")]
    long Requests,
    [property: Description("Of them, successes.")]
    long Ok,
    [property: Description("Of them, failures.")]
    long Failed,
    [property: Description("Iterations it dropped.")]
    long Dropped,
    [property: Description("Request body bytes it sent.")]
    long BytesSent,
    [property: Description("Connections it opened.")]
    long Connections,
    [property: Description("How long it ran.")]
    double DurationMs,
    [property: Description("The coordinator's clock minus its own, as it measured it; null offline.")]
    double? ClockOffsetMs = null,
    [property: Description("Why it did not finish its share (lost: stopped reporting; interrupted: stopped on its "
        + "own); null when it did. What it sent before is in the merge.")]
    string? Lost = null);

[Description("Percentiles in milliseconds.")]
public sealed record LatencySummary(
    [property: Description("Median.")]
    double P50,
    [property: Description("75th percentile.")]
    double P75,
    [property: Description("90th percentile.")]
    double P90,
    [property: Description("95th percentile.")]
    double P95,
    [property: Description("99th percentile.")]
    double P99,
    [property: Description("99.9th percentile.")]
    double P999,
    [property: Description("The largest.")]
    double Max,
    [property: Description("The mean.")]
    double Mean)
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
[Description("One request name's totals (or all names, as `all`).")]
public sealed record LoadNameResults(
    [property: Description("The request shape's name, or `all`.")]
    string Name,
    [property: Description("Requests finished.")]
    long Requests,
    [property: Description("Answered with success, checks holding.")]
    long Ok,
    [property: Description("Failed.")]
    long Failed,
    [property: Description("Aborted on purpose by the scenario.")]
    long AbortedByScenario,
    [property: Description("Iterations not started because every in-flight slot was busy.")]
    long Dropped,
    [property: Description("Requests per second of the run.")]
    double Rps,
    [property: Description("Failed over requests not aborted on purpose, in percent.")]
    double ErrorRatePercent,
    [property: Description("Request body bytes sent.")]
    long BytesSent,
    [property: Description("Answer body bytes received.")]
    long BytesReceived,
    [property: Description("File bytes of successful uploads.")]
    long FileBytesStored,
    [property: Description("Answers by status code.")]
    IReadOnlyDictionary<string, long> Statuses,
    [property: Description("Failures by kind: `timeout`, `refused`, `reset`, `aborted`, `status <n>`, `check failed`, "
        + "`unprocessed twice` (an HTTP/2 stream the server refused or dropped on both tries), `<step> failed`.")]
    IReadOnlyDictionary<string, long> Errors,
    [property: Description("Failed checks by reason: `size differs`, `sha256 differs`, `answer is not JSON`.")]
    IReadOnlyDictionary<string, long> FailedChecks,
    [property: Description("Latency from each request's intended start (coordinated omission corrected).")]
    LatencySummary Latency,
    [property: Description("Service time, from the first body byte.")]
    LatencySummary ServiceTime,
    [property: Description("HdrHistogram's compressed V2 encoding, base64, microseconds: decode, add, read any "
        + "percentile.")]
    string LatencyHistogram,
    [property: Description("The same, for service time.")]
    string ServiceTimeHistogram,
    [property: Description("Where answered uploads' time went, and the upload bandwidth; null when none was "
        + "answered, and in files from before phases were recorded.")]
    PhaseResults? Phases = null,
    [property: Description("Requests sent a second time because the server never processed the first (an HTTP/2 "
        + "stream above a GOAWAY's last stream, or refused with REFUSED_STREAM), by reason; counted once each, "
        + "whatever the second try gave. Null in files from before it was counted.")]
    IReadOnlyDictionary<string, long>? Retried = null) : INameTotals
{
    public static LoadNameResults Of(string name, NameStats s, TimeSpan duration) => new(
        name, s.Requests, s.Ok, s.Failed, s.AbortedByScenario, s.Dropped,
        duration.TotalSeconds <= 0 ? 0 : Math.Round(s.Requests / duration.TotalSeconds, 2),
        Math.Round(s.ErrorRate, 3), s.BytesSent, s.BytesReceived, s.FileBytes,
        s.Statuses, s.Errors, s.FailedChecks,
        LatencySummary.Of(s.Corrected), LatencySummary.Of(s.ServiceTime),
        HistogramCodec.Encode(s.Corrected), HistogramCodec.Encode(s.ServiceTime),
        s.Phase(Phase.Blocked).TotalCount == 0 ? null : PhaseResults.Of(s), s.Retried);

    public string? PhaseHistogram(Phase phase) => Phases?.Histograms.GetValueOrDefault(PhaseResults.Key(phase));
}

/// <summary>The phases of <see cref="Phase"/> for one request name: durations as millisecond percentiles, the
/// upload bandwidth as kB/s percentiles, and each as a histogram so split runs merge them exactly.</summary>
[Description("Where answered uploads' time went, as k6 splits a request, and the upload bandwidth it gave.")]
public sealed record PhaseResults(
    [property: Description("From the call to the first body byte: a free slot, a connection, connect and TLS.")]
    LatencySummary Blocked,
    [property: Description("Sending the request: its first to its last byte handed to the connection.")]
    LatencySummary Sending,
    [property: Description("From the last byte sent to the answer's first: the server's processing.")]
    LatencySummary Waiting,
    [property: Description("Receiving the answer.")]
    LatencySummary Receiving,
    [property: Description("Body bytes over sending time, in kB/s (p5 is the slowest uploads').")]
    BandwidthSummary UploadKBps,
    [property: Description("Each phase as an HdrHistogram (compressed V2, base64; microseconds, kB/s for "
        + "`bandwidth`), keyed `blocked`, `sending`, `waiting`, `receiving`, `bandwidth`.")]
    IReadOnlyDictionary<string, string> Histograms)
{
    public static string Key(Phase phase) => phase.ToString().ToLowerInvariant();

    public static PhaseResults Of(NameStats s) => new(
        LatencySummary.Of(s.Phase(Phase.Blocked)), LatencySummary.Of(s.Phase(Phase.Sending)),
        LatencySummary.Of(s.Phase(Phase.Waiting)), LatencySummary.Of(s.Phase(Phase.Receiving)),
        BandwidthSummary.Of(s.Phase(Phase.Bandwidth)),
        Enum.GetValues<Phase>().ToDictionary(Key, p => HistogramCodec.Encode(s.Phase(p))));
}

[Description("Upload bandwidth percentiles, in kB/s; the low ones are the slow uploads.")]
public sealed record BandwidthSummary(
    [property: Description("5th percentile: 95% of uploads were faster.")]
    double P5,
    [property: Description("25th percentile.")]
    double P25,
    [property: Description("Median.")]
    double P50,
    [property: Description("95th percentile.")]
    double P95,
    [property: Description("The mean.")]
    double Mean)
{
    public static BandwidthSummary Of(HdrHistogram.HistogramBase h)
    {
        double At(double p) => h.TotalCount == 0 ? 0 : h.GetValueAtPercentile(p);
        return new BandwidthSummary(At(5), At(25), At(50), At(95),
            h.TotalCount == 0 ? 0 : Math.Round(HdrHistogram.HistogramExtensions.GetMean(h), 1));
    }
}
