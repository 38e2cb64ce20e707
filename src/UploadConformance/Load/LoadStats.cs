using System.ComponentModel;
using HdrHistogram;
using HdrHistogram.Utilities;
using UploadConformance.Wire;

namespace UploadConformance.Load;

/// <summary>One finished request as the engine saw it.</summary>
public readonly record struct RequestSample(
    string Name,
    TimeSpan Corrected,
    TimeSpan ServiceTime,
    int? Status,
    FailureKind Failure,
    bool Ok,
    bool AbortedByScenario,
    string? CheckFailure,
    long BytesSent,
    long BytesReceived,
    long FileBytes)
{
    /// <summary>From the call to the first body byte: waiting for a slot, a connection, connect and TLS.</summary>
    public TimeSpan Blocked { get; init; }
    /// <summary>Sending, waiting and receiving; recorded for exchanges that were answered.</summary>
    public UploadPhases Phases { get; init; }
    /// <summary>Why the request was sent twice (an unprocessed HTTP/2 stream: "GOAWAY", "REFUSED_STREAM"), or
    /// null.</summary>
    public string? Retried { get; init; }
    /// <summary>The flow's step that failed before this upload could be sent (the credential), counted as
    /// "&lt;step&gt; failed"; null when the upload was sent.</summary>
    public string? StepFailed { get; init; }
}

/// <summary>Counters and latency histograms for one request name (or all of them).</summary>
public sealed class NameStats : Scenarios.IMeasured
{
    /// <summary>Microseconds, up to an hour, three significant digits: what NBomber and wrk2 keep.</summary>
    public static LongHistogram NewHistogram() => new MergeableHistogram();

    /// <summary>The error of an upload this machine could not open a socket for (its open-file limit).</summary>
    public const string ClientLimitError = "client limit";

    public LongHistogram Corrected { get; } = NewHistogram();
    /// <summary>From the first body byte to the answer: what the server took, without the wait for a slot.</summary>
    public LongHistogram ServiceTime { get; } = NewHistogram();
    /// <summary>Where an answered upload's time went (<see cref="Phase"/>): microseconds for the durations,
    /// kB/s for the upload bandwidth.</summary>
    public LongHistogram Phase(Phase phase) => _phases[(int)phase];

    /// <summary>False for a total over names that are recorded themselves: its phases are theirs added up when
    /// read (<see cref="AddPhasesOf"/>), which saves five histogram writes, each a likely cache miss, per request.
    /// </summary>
    public bool RecordsPhases { get; init; } = true;

    /// <summary>Adds another's phase histograms to these (a total made of its names).</summary>
    public void AddPhasesOf(NameStats other)
    {
        for (var i = 0; i < _phases.Length; i++) _phases[i].Add(other._phases[i]);
    }

    // Indexed by phase: five lookups per request stay array reads.
    private readonly LongHistogram[] _phases = Enum.GetValues<Phase>().Select(_ => NewHistogram()).ToArray();
    public long Requests { get; private set; }
    public long Ok { get; private set; }
    public long Failed { get; private set; }
    public long AbortedByScenario { get; private set; }
    public long Dropped { get; set; }
    public long BytesSent { get; private set; }
    public long BytesReceived { get; private set; }
    public long FileBytes { get; private set; }
    /// <summary>Counts by status code, as text for reports.</summary>
    public SortedDictionary<string, long> Statuses => new(
        _statuses.ToDictionary(kv => kv.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), kv =>
        kv.Value), StringComparer.Ordinal);

    // By number while recording: a status's text would be a string made per request.
    private readonly Dictionary<int, long> _statuses = [];
    public SortedDictionary<string, long> Errors { get; } = new(StringComparer.Ordinal);
    public SortedDictionary<string, long> FailedChecks { get; } = new(StringComparer.Ordinal);
    /// <summary>Requests sent twice because the server never processed the first, by reason.</summary>
    public SortedDictionary<string, long> Retried { get; } = new(StringComparer.Ordinal);

    public void Record(in RequestSample s)
    {
        Requests++;
        if (s.Retried is { } why) Increment(Retried, why);
        Corrected.RecordValue(Micros(s.Corrected));
        ServiceTime.RecordValue(Micros(s.ServiceTime));
        BytesSent += s.BytesSent;
        BytesReceived += s.BytesReceived;
        if (s.Status is { } status)
        {
            _statuses[status] = _statuses.GetValueOrDefault(status) + 1;
            if (RecordsPhases) RecordPhases(s);
        }
        if (s.AbortedByScenario)
        {
            AbortedByScenario++;
            Increment(Errors, "aborted by scenario");
        }
        else if (s.Ok)
        {
            Ok++;
            FileBytes += s.FileBytes;
        }
        else
        {
            Failed++;
            Increment(Errors, s.StepFailed is { } step ? $"{step} failed"
                : s.CheckFailure is not null ? "check failed" : s.Failure switch
            {
                FailureKind.None => $"status {s.Status}",
                FailureKind.Timeout => "timeout",
                FailureKind.Refused => "refused",
                FailureKind.Reset => "reset",
                FailureKind.Aborted => "aborted",
                FailureKind.ClientLimit => ClientLimitError,
                FailureKind.Unprocessed => "unprocessed twice",
                _ => "other",
            });
            if (s.CheckFailure is { } check) Increment(FailedChecks, check);
        }
    }

    private void RecordPhases(in RequestSample s)
    {
        _phases[(int)Load.Phase.Blocked].RecordValue(Micros(s.Blocked));
        _phases[(int)Load.Phase.Sending].RecordValue(Micros(s.Phases.Sending));
        _phases[(int)Load.Phase.Waiting].RecordValue(Micros(s.Phases.Waiting));
        _phases[(int)Load.Phase.Receiving].RecordValue(Micros(s.Phases.Receiving));
        // Body bytes over sending time: what the link (or the rate cap of a slow-link scenario) allowed.
        if (s.Phases.Sending > TimeSpan.Zero && s.BytesSent > 0)
            _phases[(int)Load.Phase.Bandwidth].RecordValue(Math.Clamp(
                (long)(s.BytesSent / s.Phases.Sending.TotalSeconds / 1000), 1, 3_600_000_000));
    }

    /// <summary>Failed over everything except what the scenario aborted on purpose, in percent.</summary>
    public double ErrorRate => Requests - AbortedByScenario == 0 ? 0 : 100.0 * Failed / (Requests - AbortedByScenario);

    /// <summary>Adds what a results.json entry was written from, exactly: what merging a split run's
    /// generators does, without building each one's histograms first.</summary>
    public void Add(INameTotals r)
    {
        Requests += r.Requests;
        Ok += r.Ok;
        Failed += r.Failed;
        AbortedByScenario += r.AbortedByScenario;
        Dropped += r.Dropped;
        BytesSent += r.BytesSent;
        BytesReceived += r.BytesReceived;
        FileBytes += r.FileBytesStored;
        HistogramCodec.AddTo(Corrected, r.LatencyHistogram);
        HistogramCodec.AddTo(ServiceTime, r.ServiceTimeHistogram);
        foreach (var phase in Enum.GetValues<Phase>())
            if (r.PhaseHistogram(phase) is { } encoded) HistogramCodec.AddTo(_phases[(int)phase], encoded);
        foreach (var (k, v) in r.Statuses)
        {
            var status = int.Parse(k, System.Globalization.CultureInfo.InvariantCulture);
            _statuses[status] = _statuses.GetValueOrDefault(status) + v;
        }
        foreach (var (k, v) in r.Errors) Errors[k] = Errors.GetValueOrDefault(k) + v;
        foreach (var (k, v) in r.FailedChecks) FailedChecks[k] = FailedChecks.GetValueOrDefault(k) + v;
        foreach (var (k, v) in r.Retried ?? new Dictionary<string, long>())
            Retried[k] = Retried.GetValueOrDefault(k) + v;
    }

    HistogramBase Scenarios.IMeasured.Corrected => Corrected;
    HistogramBase Scenarios.IMeasured.ServiceTime => ServiceTime;
    long Scenarios.IMeasured.ChecksFailed => FailedChecks.Values.Sum();
    HistogramBase Scenarios.IMeasured.Blocked => Phase(Load.Phase.Blocked);
    HistogramBase Scenarios.IMeasured.Sending => Phase(Load.Phase.Sending);
    HistogramBase Scenarios.IMeasured.Waiting => Phase(Load.Phase.Waiting);
    HistogramBase Scenarios.IMeasured.Receiving => Phase(Load.Phase.Receiving);

    public NameStats Clone()
    {
        var copy = new NameStats
        {
            RecordsPhases = RecordsPhases,
            Requests = Requests, Ok = Ok, Failed = Failed, AbortedByScenario = AbortedByScenario, Dropped = Dropped,
            BytesSent = BytesSent, BytesReceived = BytesReceived, FileBytes = FileBytes,
        };
        copy.Corrected.Add(Corrected);
        copy.ServiceTime.Add(ServiceTime);
        for (var i = 0; i < _phases.Length; i++) copy._phases[i].Add(_phases[i]);
        foreach (var (k, v) in _statuses) copy._statuses[k] = v;
        foreach (var (k, v) in Errors) copy.Errors[k] = v;
        foreach (var (k, v) in FailedChecks) copy.FailedChecks[k] = v;
        foreach (var (k, v) in Retried) copy.Retried[k] = v;
        return copy;
    }

    public static long Micros(TimeSpan t) => Math.Clamp((long)t.TotalMicroseconds, 1, 3_600_000_000);

    private static void Increment(SortedDictionary<string, long> counts, string key) => counts[key] =
        counts.GetValueOrDefault(key) + 1;
}

/// <summary>One request name's totals as results.json records them (counts, and histograms in
/// <see cref="HistogramCodec"/>'s encoding): what <see cref="NameStats.Add"/> sums when a split run merges.
/// Declared here, where it is read, so statistics never depend on the results written from them.</summary>
public interface INameTotals
{
    long Requests { get; }
    long Ok { get; }
    long Failed { get; }
    long AbortedByScenario { get; }
    long Dropped { get; }
    long BytesSent { get; }
    long BytesReceived { get; }
    long FileBytesStored { get; }
    string LatencyHistogram { get; }
    string ServiceTimeHistogram { get; }
    IReadOnlyDictionary<string, long> Statuses { get; }
    IReadOnlyDictionary<string, long> Errors { get; }
    IReadOnlyDictionary<string, long> FailedChecks { get; }
    /// <summary>Requests sent twice by reason; null in files from before it was counted.</summary>
    IReadOnlyDictionary<string, long>? Retried { get; }
    /// <summary>One phase's histogram, encoded; null in files written before phases were recorded.</summary>
    string? PhaseHistogram(Phase phase);
}

/// <summary>Where an upload's time goes, as k6 splits a request: <see cref="Blocked"/> until the first body
/// byte (a free slot, a connection, connect, TLS), <see cref="Sending"/> the request, <see cref="Waiting"/>
/// for the server after the last byte (its processing), <see cref="Receiving"/> the answer; and the upload
/// <see cref="Bandwidth"/> this gives, body bytes over sending time in kB/s.</summary>
public enum Phase { Blocked, Sending, Waiting, Receiving, Bandwidth }

/// <summary>A second's four duration phases, each an HdrHistogram in microseconds.</summary>
public sealed record PhaseHistograms(LongHistogram Blocked, LongHistogram Sending, LongHistogram Waiting,
    LongHistogram Receiving)
{
    public static PhaseHistograms New() => new(NameStats.NewHistogram(), NameStats.NewHistogram(),
        NameStats.NewHistogram(), NameStats.NewHistogram());

    public void Reset()
    {
        Blocked.Reset();
        Sending.Reset();
        Waiting.Reset();
        Receiving.Reset();
    }

    /// <summary>Adds a second's encoded phases.</summary>
    public void Add(SecondStats second)
    {
        HistogramCodec.AddTo(Blocked, second.BlockedHistogram!);
        HistogramCodec.AddTo(Sending, second.SendingHistogram!);
        HistogramCodec.AddTo(Waiting, second.WaitingHistogram!);
        HistogramCodec.AddTo(Receiving, second.ReceivingHistogram!);
    }
}

/// <summary>One closed second of the run: counts, percentiles, and its histograms in HdrHistogram's
/// compressed form, so per-second series from several machines merge exactly.</summary>
[Description("One second of a load run.")]
public sealed record SecondStats(
    [property: Description("Seconds since the load started.")]
    int Second,
    [property: Description("Requests finished in it.")]
    long Requests,
    [property: Description("Of them, successes.")]
    long Ok,
    [property: Description("Of them, failures.")]
    long Failed,
    [property: Description("Iterations dropped in it.")]
    long Dropped,
    [property: Description("Request body bytes sent.")]
    long BytesSent,
    [property: Description("Answer body bytes received.")]
    long BytesReceived,
    [property: Description("Median latency from the intended start.")]
    double P50Ms,
    [property: Description("95th percentile latency.")]
    double P95Ms,
    [property: Description("99th percentile latency.")]
    double P99Ms,
    [property: Description("The slowest.")]
    double MaxMs,
    [property: Description("The second's latency histogram, encoded as `latencyHistogram`; seconds merge exactly.")]
    string Histogram,
    [property: Description("Median service time.")]
    double ServiceP50Ms = 0,
    [property: Description("95th percentile service time.")]
    double ServiceP95Ms = 0,
    [property: Description("99th percentile service time.")]
    double ServiceP99Ms = 0,
    [property: Description("The slowest service time.")]
    double ServiceMaxMs = 0,
    [property: Description("That second's service times as an HdrHistogram, likewise (null in files from before it "
        + "was written).")]
    string? ServiceHistogram = null,
    [property: Description("95th percentile of sending, for the uploads answered in it (see `phases`).")]
    double SendingP95Ms = 0,
    [property: Description("95th percentile of waiting after the last byte: the server's processing.")]
    double WaitingP95Ms = 0,
    [property: Description("That second's sending times as an HdrHistogram; null in files from before phases.")]
    string? SendingHistogram = null,
    [property: Description("That second's waiting times as an HdrHistogram; null in files from before phases.")]
    string? WaitingHistogram = null,
    [property: Description("The most uploads in flight at once as its requests finished (a split run: the sum of "
        + "each generator's).")]
    long InFlight = 0,
    [property: Description("95th percentile of blocked (until the first body byte: a connection, connect, TLS), for "
        + "the uploads answered in it.")]
    double BlockedP95Ms = 0,
    [property: Description("95th percentile of receiving the answer.")]
    double ReceivingP95Ms = 0,
    [property: Description("That second's blocked times as an HdrHistogram; null in files from before it was "
        + "written.")]
    string? BlockedHistogram = null,
    [property: Description("That second's receiving times as an HdrHistogram; null in files from before it was "
        + "written.")]
    string? ReceivingHistogram = null)
{
    /// <summary>A second from counts and its histograms (microseconds), percentiles read from them.</summary>
    /// <param name="phases">Blocked, sending, waiting and receiving, in that order.</param>
    public static SecondStats Of(int second, long requests, long ok, long failed, long dropped, long bytesSent,
        long bytesReceived, HistogramBase latency, HistogramBase service, PhaseHistograms phases, long inFlight) =>
        new(second, requests, ok, failed, dropped, bytesSent, bytesReceived,
        Ms(latency, 50), Ms(latency, 95), Ms(latency, 99), Max(latency), HistogramCodec.Encode(latency),
        Ms(service, 50), Ms(service, 95), Ms(service, 99), Max(service), HistogramCodec.Encode(service),
        Ms(phases.Sending, 95), Ms(phases.Waiting, 95), HistogramCodec.Encode(phases.Sending),
        HistogramCodec.Encode(phases.Waiting), inFlight, Ms(phases.Blocked, 95), Ms(phases.Receiving, 95),
        HistogramCodec.Encode(phases.Blocked), HistogramCodec.Encode(phases.Receiving));

    /// <summary>Whether the second carries every phase's histogram (files from before some were written
    /// do not), so that seconds merge exactly.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool HasPhases => SendingHistogram is not null && WaitingHistogram is not null
        && BlockedHistogram is not null && ReceivingHistogram is not null;

    private static double Ms(HistogramBase h, double percentile) => h.TotalCount == 0
        ? 0 : h.GetValueAtPercentile(percentile) / 1000.0;

    private static double Max(HistogramBase h) => h.TotalCount == 0 ? 0 : h.GetMaxValue() / 1000.0;
}

/// <summary>Everything the engine measures, recorded under one lock (recording costs well under a
/// microsecond; the requests it records cost milliseconds). Seconds are bucketed by completion and
/// closed two seconds later, so memory stays flat however long the run.</summary>
public sealed class LoadStats
{
    private readonly object _gate = new();
    private readonly Dictionary<string, NameStats> _byName = new(StringComparer.Ordinal);
    private readonly SortedDictionary<int, Bucket> _open = [];
    private readonly List<SecondStats> _closed = [];

    // Its phases are the names' own, added when the totals are read.
    public NameStats All { get; } = new() { RecordsPhases = false };

    /// <param name="inFlight">Uploads under way as this one finished: the second keeps the most.</param>
    public void Record(in RequestSample sample, TimeSpan completedAt, long inFlight = 0)
    {
        lock (_gate)
        {
            All.Record(sample);
            if (!_byName.TryGetValue(sample.Name, out var stats)) _byName[sample.Name] = stats = new NameStats();
            stats.Record(sample);
            var bucket = BucketFor(completedAt);
            bucket.Histogram.RecordValue(NameStats.Micros(sample.Corrected));
            bucket.ServiceTime.RecordValue(NameStats.Micros(sample.ServiceTime));
            bucket.Requests++;
            if (sample.Ok) bucket.Ok++;
            else if (!sample.AbortedByScenario) bucket.Failed++;
            bucket.BytesSent += sample.BytesSent;
            bucket.BytesReceived += sample.BytesReceived;
            bucket.InFlight = Math.Max(bucket.InFlight, inFlight);
            if (sample.Status is not null)
            {
                bucket.Phases.Blocked.RecordValue(NameStats.Micros(sample.Blocked));
                bucket.Phases.Sending.RecordValue(NameStats.Micros(sample.Phases.Sending));
                bucket.Phases.Waiting.RecordValue(NameStats.Micros(sample.Phases.Waiting));
                bucket.Phases.Receiving.RecordValue(NameStats.Micros(sample.Phases.Receiving));
            }
        }
    }

    /// <summary>A row of its own that is not an upload (a flow's login, credential or confirm, or the whole
    /// flow): counted under its name only, never in the totals or the seconds, which count uploads.</summary>
    public void RecordName(in RequestSample sample)
    {
        lock (_gate)
        {
            if (!_byName.TryGetValue(sample.Name, out var stats))
                _byName[sample.Name] = stats = new NameStats { RecordsPhases = false };
            stats.Record(sample);
        }
    }

    public void RecordDropped(string name, TimeSpan at)
    {
        lock (_gate)
        {
            All.Dropped++;
            if (!_byName.TryGetValue(name, out var stats)) _byName[name] = stats = new NameStats();
            stats.Dropped++;
            BucketFor(at).Dropped++;
        }
    }

    /// <summary>A consistent copy of the totals, for progress lines and thresholds mid-run.</summary>
    public (long Requests, long Failed, long Dropped, double P99Ms, double ErrorRate) Snapshot()
    {
        lock (_gate) return (All.Requests, All.Failed, All.Dropped, All.Corrected.TotalCount == 0 ? 0
            : All.Corrected.GetValueAtPercentile(99) / 1000.0, All.ErrorRate);
    }

    /// <summary>Copies of the running totals, for mid-run threshold checks.</summary>
    public (NameStats All, IReadOnlyDictionary<string, NameStats> ByName) Totals()
    {
        lock (_gate)
        {
            var all = All.Clone();
            foreach (var name in _byName.Values) all.AddPhasesOf(name);
            return (all, _byName.ToDictionary(kv => kv.Key, kv => kv.Value.Clone()));
        }
    }

    /// <summary>The seconds closed so far, from the <paramref name="from"/>th on (a distributed run's
    /// worker sends the new ones each second).</summary>
    public IReadOnlyList<SecondStats> Closed(int from = 0)
    {
        lock (_gate) return _closed.Skip(from).ToList();
    }

    public (NameStats All, IReadOnlyDictionary<string, NameStats> ByName, IReadOnlyList<SecondStats> Series) Finish()
    {
        lock (_gate)
        {
            foreach (var second in _open.Keys.ToList()) Close(second);
            foreach (var name in _byName.Values) All.AddPhasesOf(name);
            return (All, _byName, _closed.ToList());
        }
    }

    public void CloseSecondsBefore(TimeSpan now)
    {
        lock (_gate)
        {
            foreach (var second in _open.Keys.Where(s => s < (int)now.TotalSeconds - 1).ToList()) Close(second);
        }
    }

    private Bucket BucketFor(TimeSpan at)
    {
        var second = (int)at.TotalSeconds;
        if (second == _lastSecond && _lastBucket is { } last) return last;
        if (!_open.TryGetValue(second, out var bucket))
        {
            _open[second] = bucket = new Bucket();
            foreach (var old in _open.Keys.Where(s => s < second - 1).ToList()) Close(old);
        }
        (_lastSecond, _lastBucket) = (second, bucket);
        return bucket;
    }

    private int _lastSecond = -1;
    private Bucket? _lastBucket;

    private void Close(int second)
    {
        var b = _open[second];
        _open.Remove(second);
        if (second == _lastSecond) _lastBucket = null;
        _closed.Add(SecondStats.Of(second, b.Requests, b.Ok, b.Failed, b.Dropped, b.BytesSent, b.BytesReceived,
            b.Histogram, b.ServiceTime, b.Phases, b.InFlight));
        _closed.Sort((x, y) => x.Second.CompareTo(y.Second));
    }

    private sealed class Bucket
    {
        public LongHistogram Histogram { get; } = NameStats.NewHistogram();
        public LongHistogram ServiceTime { get; } = NameStats.NewHistogram();
        public PhaseHistograms Phases { get; } = PhaseHistograms.New();
        public long Requests, Ok, Failed, Dropped, BytesSent, BytesReceived, InFlight;
    }
}
