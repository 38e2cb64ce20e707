using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using UploadConformance.Results;
using UploadConformance.Scenarios;

namespace UploadConformance.Cluster;

/// <summary>The whole cluster's view, once a second.</summary>
public sealed record ClusterProgress(TimeSpan Elapsed, TimeSpan? Planned, int Reporting, int Workers, long Requests,
    long Failed, long Dropped, double Rps, double P99Ms)
{
    /// <summary>The merged run so far, and the uploads under way on every worker: live outputs' view.</summary>
    public LoadResults? Merged { get; init; }
    public long InFlight { get; init; }
}

/// <summary>The merged run: <see cref="Load"/> as one machine's run writes it plus its workers;
/// <see cref="Interrupted"/> when it stopped early for everyone; <see cref="Incomplete"/> when workers
/// were lost (what they had sent is in the merge).</summary>
public sealed record ClusterOutcome(LoadResults Load, DateTimeOffset StartedAt, string? Interrupted,
    string? Incomplete);

/// <summary>Raised when the cluster cannot run at all (workers that never came); its message is one line.</summary>
public sealed class ClusterException(string message) : Exception(message);

/// <summary>The coordinator of a split run: hands each worker its share and the run, starts them all at
/// one instant, merges their reports exactly every second (thresholds included, so abortOnFail stops
/// every worker), names a worker that stops reporting as lost, and merges everything at the end.
/// Kubernetes schedules the workers; this is the only coordination a load test needs on top.</summary>
public sealed class Coordinator : IAsyncDisposable
{
    /// <summary>How far after the last worker is ready the run starts: time for the start to reach all.</summary>
    private static readonly TimeSpan StartMargin = TimeSpan.FromSeconds(1);
    /// <summary>How long a /v1/ready call waits for the start before the worker asks again.</summary>
    private static readonly TimeSpan ReadyPoll = TimeSpan.FromSeconds(20);

    private readonly object _gate = new();
    private readonly SplitRun _run;
    private readonly Scenario _scenario;
    private readonly Slot[] _slots;
    private readonly TimeSpan _lostAfter;
    private readonly TaskCompletionSource<long> _start = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication? _app;
    /// <summary>Why every worker stops now; null while the run goes on.</summary>
    private string? _stop;

    /// <exception cref="ProfileException">The run's scenario or an override is invalid.</exception>
    public Coordinator(SplitRun run, int workers, TimeSpan? lostAfter = null)
    {
        if (workers < 1) throw new ArgumentOutOfRangeException(nameof(workers), "at least one worker");
        _run = run;
        _scenario = run.Scenario();
        _slots = Enumerable.Range(0, workers).Select(i => new Slot(i)).ToArray();
        _lostAfter = lostAfter ?? TimeSpan.FromSeconds(5);
    }

    public Uri Url { get; private set; } = null!;

    public int Workers => _slots.Length;

    /// <summary>The scenario every worker runs its share of, overrides applied.</summary>
    public Scenario Scenario => _scenario;

    /// <summary>Listens on <paramref name="listen"/> (port 0: a free one); the API is up when this returns.</summary>
    public async Task ListenAsync(IPEndPoint listen, CancellationToken cancellationToken)
    {
        var app = SlimWebHost.Build(listen);
        app.MapGet("/v1/clock", () => Json(new ClockReading(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())));
        app.MapPost("/v1/register", async (HttpRequest r) => Register(await ReadAsync<Registration>(r)));
        app.MapPost("/v1/ready", async (HttpRequest r, CancellationToken ct) =>
            await ReadyAsync(await ReadAsync<Ready>(r), ct));
        app.MapPost("/v1/report", async (HttpRequest r) => Report(await ReadAsync<WorkerReport>(r)));
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            // A taken port comes as an IOException, an address this machine does not have as a SocketException.
            await app.DisposeAsync().ConfigureAwait(false);
            throw new ClusterException($"cannot listen on {listen}: {e.Message.ReplaceLineEndings(" ")}");
        }
        _app = app;
        var address = app.Urls.First();
        Url = new Uri(address.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal)
            .Replace("[::]", "[::1]", StringComparison.Ordinal));
    }

    /// <summary>Waits up to <paramref name="registration"/> for every worker, runs them, and merges.</summary>
    /// <param name="whyCancelled">What results say when <paramref name="cancellationToken"/> stops the run.</param>
    public async Task<ClusterOutcome> RunAsync(Action<ClusterProgress>? progress, TimeSpan registration,
        Func<string>? whyCancelled, CancellationToken cancellationToken)
    {
        var waited = await Task.WhenAny(_start.Task, Task.Delay(registration, cancellationToken))
            .ConfigureAwait(false);
        if (waited != _start.Task)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int registered, ready;
            lock (_gate) (registered, ready) = (_slots.Count(s => s.Name is not null), _slots.Count(s => s.Ready));
            throw new ClusterException($"only {registered} of {_slots.Length} workers registered and {ready} were "
                + $"ready within {registration.TotalSeconds:0.#} s; nothing was run");
        }
        var startUnixMs = await _start.Task.ConfigureAwait(false);
        var startedAt = DateTimeOffset.FromUnixTimeMilliseconds(startUnixMs);
        var clock = Stopwatch.StartNew();
        var untilStart = startedAt - DateTimeOffset.UtcNow;
        // Every loop below is bounded: by the plan (or an hour when iterations decide) and a grace.
        var deadline = untilStart + (_scenario.PlannedDuration ?? TimeSpan.FromHours(1)) + TimeSpan.FromMinutes(2);
        TimeSpan? stoppingSince = null;
        // The beat goes on after an interrupt: workers learn to stop from their next report's answer.
        await Load.Ticker.EverySecondAsync(() =>
        {
            var sinceStart = clock.Elapsed - untilStart;
            if (cancellationToken.IsCancellationRequested)
            {
                lock (_gate) _stop ??= whyCancelled?.Invoke() ?? "interrupted";
                stoppingSince ??= clock.Elapsed;
            }
            var merged = MarkLostAndMerge(sinceStart, clock.Elapsed >= deadline
                ? "no final report by the run's deadline"
                : stoppingSince is { } since && clock.Elapsed - since > TimeSpan.FromSeconds(10)
                    ? "did not stop within 10 s of being told to" : null);
            if (merged is not null)
            {
                if (Load.ThresholdResult.Aborting(_scenario, merged.Thresholds) is { } breached)
                    lock (_gate) _stop ??= breached.Breach;
                progress?.Invoke(Progress(sinceStart, merged));
            }
            lock (_gate) return ValueTask.FromResult(!_slots.All(s => s.Final || s.Lost is not null));
        }, CancellationToken.None).ConfigureAwait(false);
        return Outcome(startedAt);
    }

    /// <summary>Names workers silent for longer than the bound (or all unfinished ones, given
    /// <paramref name="forceReason"/>) as lost, and merges every worker's totals so far.</summary>
    private LoadResults? MarkLostAndMerge(TimeSpan sinceStart, string? forceReason)
    {
        var now = Stopwatch.GetTimestamp();
        List<LoadResults> parts;
        lock (_gate)
        {
            foreach (var slot in _slots.Where(s => !s.Final && s.Lost is null))
            {
                var silent = Stopwatch.GetElapsedTime(slot.LastReport ?? now, now);
                if (forceReason is not null)
                    slot.Lost = $"lost after {sinceStart.TotalSeconds:0.0} s: {forceReason}";
                else if (sinceStart > _lostAfter && (slot.LastReport is null || silent > _lostAfter))
                    slot.Lost = $"lost after {sinceStart.TotalSeconds:0.0} s: no report for "
                        + $"{_lostAfter.TotalSeconds:0.#} s";
            }
            parts = _slots.Where(s => s.Totals is not null).Select(s => s.Totals!).ToList();
        }
        return parts.Count == 0 ? null : LoadMerge.Merge(parts, Math.Max(0, sinceStart.TotalMilliseconds));
    }

    private ClusterProgress Progress(TimeSpan sinceStart, LoadResults merged)
    {
        int reporting;
        long inFlight;
        lock (_gate)
        {
            reporting = _slots.Count(s => s.Lost is null && s.Totals is not null);
            inFlight = _slots.Where(s => s.Lost is null && !s.Final).Sum(s => s.InFlight);
        }
        var rps = _lastRequests is { } last ? merged.All.Requests - last : 0;
        _lastRequests = merged.All.Requests;
        return new ClusterProgress(sinceStart, _scenario.PlannedDuration, reporting, _slots.Length,
            merged.All.Requests, merged.All.Failed, merged.All.Dropped, rps, merged.All.Latency.P99)
        {
            Merged = merged,
            InFlight = inFlight,
        };
    }

    private long? _lastRequests;

    private ClusterOutcome Outcome(DateTimeOffset startedAt)
    {
        lock (_gate)
        {
            var parts = _slots.Where(s => s.Totals is not null)
                .Select(s => s.Totals! with { Series = s.Seconds.Values.ToList() }).ToList();
            var workers = _slots.Select(s => new WorkerResults(s.Index, s.Name ?? "(never registered)",
                $"{s.Index}/{_slots.Length}", s.Totals?.All.Requests ?? 0, s.Totals?.All.Ok ?? 0,
                s.Totals?.All.Failed ?? 0, s.Totals?.All.Dropped ?? 0, s.Totals?.All.BytesSent ?? 0,
                s.Totals?.Connections ?? 0, s.Totals?.DurationMs ?? 0, Math.Round(s.ClockOffsetMs, 1),
                s.Lost ?? (s.Interrupted is { } why && why != _stop ? $"interrupted: {why}" : null))).ToList();
            var load = parts.Count > 0
                ? LoadMerge.Merge(parts, workers: workers)
                : throw new ClusterException("no worker sent anything");
            var lost = workers.Where(w => w.Lost is not null).ToList();
            var incomplete = lost.Count == 0 ? null
                : string.Join("; ", lost.Select(w => $"worker {w.Segment} ({w.Name}) {w.Lost}"));
            return new ClusterOutcome(load, startedAt, _stop, incomplete);
        }
    }

    private IResult Register(Registration? registration)
    {
        if (registration is null) return Problem(400, "a registration is {name, version, index?}");
        if (registration.Version != ToolInfo.Current.Version)
            return Problem(400, $"the worker is version {registration.Version}, the coordinator "
                + $"{ToolInfo.Current.Version}: run one image for both");
        var instance = registration.Instance ?? registration.Name;
        lock (_gate)
        {
            Slot? slot;
            if (registration.Index is { } index)
            {
                if (index < 0 || index >= _slots.Length)
                    return Problem(400, $"index {index} is not one of 0 to {_slots.Length - 1}");
                slot = _slots[index];
                if (slot.Name is not null && slot.Instance != instance)
                    return Problem(409, $"index {index} is taken by {slot.Name}");
            }
            else
            {
                slot = _slots.FirstOrDefault(s => s.Instance == instance) ?? _slots.FirstOrDefault(s => s.Name is null);
                if (slot is null) return Problem(409, $"all {_slots.Length} workers are registered");
            }
            slot.Instance = instance;
            slot.Name = registration.NameFor(slot.Index);
            return Json(new Assignment(slot.Index, _slots.Length, _run));
        }
    }

    private async Task<IResult> ReadyAsync(Ready? ready, CancellationToken cancellationToken)
    {
        if (ready is null || ready.Index < 0 || ready.Index >= _slots.Length)
            return Problem(400, "a ready call is {index, clockOffsetMs} of a registered worker");
        lock (_gate)
        {
            var slot = _slots[ready.Index];
            if (slot.Name is null) return Problem(409, $"worker {ready.Index} is not registered");
            slot.Ready = true;
            slot.ClockOffsetMs = ready.ClockOffsetMs;
            if (_slots.All(s => s.Ready))
                _start.TrySetResult((DateTimeOffset.UtcNow + StartMargin).ToUnixTimeMilliseconds());
        }
        var started = await Task.WhenAny(_start.Task, Task.Delay(ReadyPoll, cancellationToken)).ConfigureAwait(false);
        return Json(new StartSignal(started == _start.Task ? await _start.Task.ConfigureAwait(false) : null));
    }

    private IResult Report(WorkerReport? report)
    {
        if (report is null || report.Index < 0 || report.Index >= _slots.Length)
            return Problem(400, "a report is {index, final, load} of a registered worker");
        lock (_gate)
        {
            var slot = _slots[report.Index];
            slot.LastReport = Stopwatch.GetTimestamp();
            // A worker named lost that reports again was only late.
            slot.Lost = null;
            slot.Totals = report.Load with { Series = [] };
            slot.InFlight = report.InFlight;
            foreach (var second in report.Load.Series) slot.Seconds[second.Second] = second;
            if (report.Final)
            {
                slot.Final = true;
                slot.Interrupted = report.Interrupted;
            }
            return Json(new ReportAnswer(_stop));
        }
    }

    private static IResult Json<T>(T value) => Microsoft.AspNetCore.Http.Results.Json(value, ResultsJson.Options);

    private static IResult Problem(int status, string error) =>
        Microsoft.AspNetCore.Http.Results.Json(new { error }, ResultsJson.Options,
        statusCode: status);

    private static async Task<T?> ReadAsync<T>(HttpRequest request) where T : class
    {
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(request.Body, ResultsJson.Options).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>One worker's place in the run. Guarded by the coordinator's lock.</summary>
    private sealed class Slot(int index)
    {
        public int Index { get; } = index;
        public string? Name { get; set; }
        /// <summary>Which worker process holds the slot (<see cref="Registration.Instance"/>).</summary>
        public string? Instance { get; set; }
        public bool Ready { get; set; }
        public double ClockOffsetMs { get; set; }
        public long InFlight { get; set; }
        public long? LastReport { get; set; }
        public LoadResults? Totals { get; set; }
        public SortedDictionary<int, Load.SecondStats> Seconds { get; } = [];
        public bool Final { get; set; }
        public string? Interrupted { get; set; }
        public string? Lost { get; set; }
    }
}
