using System.ComponentModel;
using UploadConformance.Scenarios;

namespace UploadConformance.Load;

/// <summary>A progress line's worth of the run so far, and the totals behind it for live outputs.</summary>
public sealed record LoadProgress(TimeSpan Elapsed, TimeSpan? Planned, double Rps, long Requests, long Failed,
    long Dropped, double P99Ms, long InFlight)
{
    /// <summary>Every name's statistics so far, cumulative (the engine's own: read, never written).</summary>
    public NameStats? All { get; init; }
    public IReadOnlyDictionary<string, NameStats>? ByName { get; init; }
    public IReadOnlyList<ThresholdResult> Thresholds { get; init; } = [];
}

[Description("A threshold and how it came out.")]
public sealed record ThresholdResult(
    [property: Description("As written in the scenario.")]
    string Text,
    [property: Description("The request name it is scoped to, or null.")]
    string? Scope,
    [property: Description("The metric (a `raw_` name is read as `service_`).")]
    string Metric,
    [property: Description("The value measured.")]
    double Actual,
    [property: Description("Whether the threshold held.")]
    bool Passed)
{
    /// <summary>The actual value in the metric's unit: "20.655 ms", "0.3%".</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string ActualText => ThresholdMetric.Format(Metric, Actual);

    /// <summary>What an aborted run says: "threshold breached: p99 &lt; 2s (was 2315.2 ms)".</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Breach => $"threshold breached: {Text} (was {ActualText})";

    /// <summary>The abort-on-fail rule, for one machine's run and a coordinator's merged one alike: the
    /// first breached threshold when the scenario asks to stop on one, else null.</summary>
    public static ThresholdResult? Aborting(Scenario scenario, IReadOnlyList<ThresholdResult> thresholds) =>
        scenario.AbortOnFail ? thresholds.FirstOrDefault(t => !t.Passed) : null;
}

public sealed record LoadOutcome(
    NameStats All,
    IReadOnlyDictionary<string, NameStats> ByName,
    IReadOnlyList<SecondStats> Series,
    TimeSpan Duration,
    IReadOnlyList<ThresholdResult> Thresholds,
    string? Interrupted,
    bool TargetGone,
    long Connections = 0,
    long TlsHandshakes = 0)
{
    /// <summary>This machine's open-file limit stopped the run: more sockets were needed than it allows.</summary>
    public bool ClientLimitReached { get; init; }

    /// <summary>TCP connect times of the connections opened, in microseconds.</summary>
    public HdrHistogram.HistogramBase? ConnectTimes { get; init; }
    /// <summary>TLS handshake times, apart from connect and upload, in microseconds.</summary>
    public HdrHistogram.HistogramBase? HandshakeTimes { get; init; }
    public long SentByLeanClient { get; init; }
    public long SentByHttpClient { get; init; }
    /// <summary>This generator's share of a split run; null for a whole run.</summary>
    public ExecutionSegment? Segment { get; init; }
}
