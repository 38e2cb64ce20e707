using System.Diagnostics.Metrics;
using HdrHistogram;
using UploadConformance.Load;

namespace UploadConformance.Live;

/// <summary>A run's instruments on <see cref="System.Diagnostics.Metrics"/>, for any listener
/// (OpenTelemetry's Prometheus and OTLP exporters in the CLI). Names follow OpenTelemetry's HTTP
/// client conventions where they fit and the <c>upload.*</c> namespace where they do not; the table
/// is in README ("Watching a run live").
///
/// Nothing is added to the per-request path: counters and gauges are observable, read from the last
/// <see cref="Publish"/>ed totals when a reader collects; the two histograms are recorded at
/// <see cref="Publish"/> (the engine's one-second tick) from what the engine's own HdrHistograms
/// gained since the tick before. Labels are bounded: the scenario's request names, status classes,
/// a handful of error kinds, the scenario's threshold texts; never a URL, file name or id.</summary>
public sealed class LoadMeter : IDisposable
{
    public const string MeterName = "UploadConformance.Load";

    /// <summary>Seconds. OpenTelemetry's advice for HTTP client durations, with a millisecond at the
    /// bottom (uploads on loopback) and two minutes at the top (an original photo on a slow network);
    /// the SDK's default buckets are for milliseconds and would put every upload in the first one.</summary>
    public static readonly IReadOnlyList<double> DurationBuckets =
    [
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 15, 30, 60, 120,
    ];

    private const string NameKey = "upload.request.name";
    private static readonly KeyValuePair<string, object?> Post = new("http.request.method", "POST");

    private readonly Meter _meter;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _serviceTime;
    private readonly Histogram<double> _phaseDuration;
    // What has been recorded into the histograms so far, per request name: the next Publish records only the
    // difference. Slots: latency, service time, then each timed phase. Guarded by itself; Publish runs once a second.
    private readonly Dictionary<string, MergeableHistogram[]> _recorded = new(StringComparer.Ordinal);
    private static readonly Phase[] TimedPhases = [Phase.Blocked, Phase.Sending, Phase.Waiting, Phase.Receiving];
    private static readonly KeyValuePair<string, object?>[] PhaseLabels =
        TimedPhases.Select(p => new KeyValuePair<string, object?>("upload.phase", Results.PhaseResults.Key(p)))
            .ToArray();
    private readonly MergeableHistogram _gained = new();
    private volatile LiveTotals? _latest;
    private long _collections;
    private TaskCompletionSource _nextCollection = NewSignal();
    // Stopwatch timestamps of the last two collections: whether something scrapes regularly, and how often.
    private long _lastCollection;
    private long _previousCollection;

    public LoadMeter()
    {
        _meter = new Meter(MeterName, Results.ToolInfo.Current.Version);
        var buckets = new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets };
        _duration = _meter.CreateHistogram("upload.request.duration", "s",
            "Upload latency from the intended start (coordinated omission corrected), as results.json's latency",
            advice: buckets);
        _serviceTime = _meter.CreateHistogram("http.client.request.duration", "s",
            "Service time: from the first body byte sent to the answer, without the wait for a slot",
            advice: buckets);
        _phaseDuration = _meter.CreateHistogram("upload.phase.duration", "s",
            "Where an answered upload's time went, by upload.phase: blocked (until the first body byte), sending, "
            + "waiting (after the last byte: the server's processing), receiving", advice: buckets);
        _meter.CreateObservableCounter("upload.requests", () =>
        {
            // Once per collection: every reader asks every instrument.
            Interlocked.Increment(ref _collections);
            Interlocked.Exchange(ref _previousCollection,
                Interlocked.Exchange(ref _lastCollection, System.Diagnostics.Stopwatch.GetTimestamp()));
            Interlocked.Exchange(ref _nextCollection, NewSignal()).TrySetResult();
            return Observe(Requests);
        }, "{request}",
            "Finished requests by request name and outcome (ok, failed, aborted_by_scenario)");
        _meter.CreateObservableCounter("upload.responses", () => Observe(Responses), "{response}",
            "Answers by request name and status class (2xx, 4xx, …)");
        _meter.CreateObservableCounter("upload.errors", () => Observe(Errors), "{error}",
            "Failed requests by request name and error.type (timeout, refused, reset, aborted, "
            + "http_status, check_failed, other)");
        _meter.CreateObservableCounter("upload.checks.failed", () => Observe(s => s.FailedChecks.Values.Sum()),
            "{check}", "Answers a scenario check refused, by request name");
        _meter.CreateObservableCounter("upload.iterations.dropped", () => Observe(s => s.Dropped), "{iteration}",
            "Iterations not started because every in-flight slot was busy at their intended time");
        _meter.CreateObservableCounter("upload.sent", () => Observe(s => s.BytesSent), "By",
            "Bytes sent, headers and bodies, by request name");
        _meter.CreateObservableCounter("upload.received", () => Observe(s => s.BytesReceived), "By",
            "Bytes received, by request name");
        _meter.CreateObservableUpDownCounter("http.client.active_requests", ObserveInFlight, "{request}",
            "Uploads under way");
        _meter.CreateObservableGauge("upload.threshold.passing", ObserveThresholds, null,
            "1 while a scenario threshold holds on the figures so far, 0 while it is breached");
    }

    /// <summary>The instruments' meter: a provider that listens to one meter of several (one per
    /// output) tells them apart by it.</summary>
    public Meter Meter => _meter;

    /// <summary>How many times a reader has collected (a Prometheus scrape, an OTLP export).</summary>
    public long Collections => Interlocked.Read(ref _collections);

    /// <summary>The time between the last two collections, and since the last one; null before two. A
    /// scraper is still scraping when the time since is within about two of its intervals (one manual
    /// curl is not a scraper).</summary>
    public (TimeSpan Interval, TimeSpan Since)? Scraping()
    {
        var (last, previous) = (Interlocked.Read(ref _lastCollection), Interlocked.Read(ref _previousCollection));
        if (previous == 0) return null;
        return (System.Diagnostics.Stopwatch.GetElapsedTime(previous, last),
            System.Diagnostics.Stopwatch.GetElapsedTime(last));
    }

    /// <summary>Completes at the next collection after this call.</summary>
    public Task NextCollectionAsync() => _nextCollection.Task;

    /// <summary>Makes <paramref name="totals"/> what readers see from now on, and records into the
    /// histograms what the run's histograms gained since the last call.</summary>
    public void Publish(LiveTotals totals)
    {
        lock (_recorded)
        {
            foreach (var (name, stats) in totals.ByName)
            {
                if (!_recorded.TryGetValue(name, out var recorded))
                    _recorded[name] = recorded = Enumerable.Range(0, 2 + TimedPhases.Length)
                        .Select(_ => new MergeableHistogram()).ToArray();
                KeyValuePair<string, object?> label = new(NameKey, name);
                RecordGained((MergeableHistogram)stats.Corrected, recorded[0], _duration, [label]);
                RecordGained((MergeableHistogram)stats.ServiceTime, recorded[1], _serviceTime, [label, Post]);
                for (var i = 0; i < TimedPhases.Length; i++)
                    RecordGained((MergeableHistogram)stats.Phase(TimedPhases[i]), recorded[2 + i], _phaseDuration,
                        [label, PhaseLabels[i]]);
            }
            _latest = totals;
        }
    }

    /// <summary>Records each value <paramref name="now"/> holds beyond <paramref name="recorded"/>
    /// (microseconds, at HdrHistogram's precision) as seconds, as often as it was seen.</summary>
    private void RecordGained(MergeableHistogram now, MergeableHistogram recorded, Histogram<double> into,
        KeyValuePair<string, object?>[] labels)
    {
        if (now.TotalCount == recorded.TotalCount) return;
        for (var slot = 0; slot < now.Slots; slot++)
        {
            var gained = now.CountAt(slot) - recorded.CountAt(slot);
            if (gained <= 0) continue;
            _gained.AddAt(slot, gained);
            recorded.AddAt(slot, gained);
        }
        foreach (var value in _gained.RecordedValues())
        {
            var seconds = value.ValueIteratedTo / 1e6;
            for (var i = 0L; i < value.CountAtValueIteratedTo; i++) into.Record(seconds, labels);
        }
        _gained.Reset();
    }

    private IEnumerable<Measurement<long>> Observe(Func<NameStats, IEnumerable<(long, string, string)>> read)
    {
        if (_latest is not { } totals) yield break;
        foreach (var (name, stats) in totals.ByName)
        foreach (var (value, key, label) in read(stats))
            yield return new Measurement<long>(value, new(NameKey, name), new(key, label));
    }

    private IEnumerable<Measurement<long>> Observe(Func<NameStats, long> read)
    {
        if (_latest is not { } totals) yield break;
        foreach (var (name, stats) in totals.ByName)
            yield return new Measurement<long>(read(stats), new KeyValuePair<string, object?>(NameKey, name));
    }

    private static IEnumerable<(long, string, string)> Requests(NameStats s) =>
    [
        (s.Ok, "upload.outcome", "ok"),
        (s.Failed, "upload.outcome", "failed"),
        (s.AbortedByScenario, "upload.outcome", "aborted_by_scenario"),
    ];

    // Counters of a closed set start at zero, so a dashboard's rate() has a series before the first error.
    private static readonly string[] StatusClasses = ["2xx", "3xx", "4xx", "5xx"];
    private static readonly string[] ErrorTypes =
        ["timeout", "refused", "reset", "aborted", "http_status", "check_failed", "other"];

    private static IEnumerable<(long, string, string)> Responses(NameStats s)
    {
        var byClass = s.Statuses.GroupBy(kv => kv.Key[..1] + "xx")
            .ToDictionary(g => g.Key, g => g.Sum(kv => kv.Value));
        return StatusClasses.Union(byClass.Keys)
            .Select(c => (byClass.GetValueOrDefault(c), "upload.status_class", c));
    }

    /// <summary>The engine's error texts as a closed set (the status code is in upload.responses).</summary>
    private static IEnumerable<(long, string, string)> Errors(NameStats s)
    {
        var byType = s.Errors.Where(kv => kv.Key != "aborted by scenario")
            .GroupBy(kv => kv.Key switch
            {
                "timeout" or "refused" or "reset" or "aborted" => kv.Key,
                "check failed" => "check_failed",
                _ when kv.Key.StartsWith("status ", StringComparison.Ordinal) => "http_status",
                _ => "other",
            })
            .ToDictionary(g => g.Key, g => g.Sum(kv => kv.Value));
        return ErrorTypes.Select(t => (byType.GetValueOrDefault(t), "error.type", t));
    }

    private IEnumerable<Measurement<long>> ObserveInFlight()
    {
        if (_latest is { } totals) yield return new Measurement<long>(totals.InFlight);
    }

    private IEnumerable<Measurement<int>> ObserveThresholds()
    {
        if (_latest is not { } totals) yield break;
        foreach (var threshold in totals.Thresholds)
            yield return new Measurement<int>(threshold.Passed ? 1 : 0,
                new KeyValuePair<string, object?>("upload.threshold", threshold.Text));
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Dispose() => _meter.Dispose();
}
