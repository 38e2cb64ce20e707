using System.Diagnostics;
using UploadConformance.Scenarios;
using UploadConformance.Targets;
using UploadConformance.Wire;

namespace UploadConformance.Load;

/// <summary>Runs a scenario's load phases against a target. Open phases start iterations at their
/// intended times whatever the responses do, and measure latency from those times (coordinated
/// omission corrected) as well as service time from the first body byte; when every in-flight slot
/// is busy at an intended time the iteration is counted as dropped, never silently skipped.
/// Closed phases keep copies looping. Every loop is bounded by its phase's time or iterations.</summary>
public sealed class LoadEngine : ILoadDriver, IDisposable
{
    private readonly Scenario _scenario;
    private readonly TargetProfile _profile;
    private readonly RequestMix _mix;
    private readonly Uploader _uploader;
    private readonly Http1Client? _lean;
    private readonly ConnectionTimings _timings = new();
    private readonly Dictionary<RequestPlan, (PreparedRequest? Prepared, long PayloadBytes)> _plans =
        new(ReferenceEqualityComparer.Instance);
    private readonly LoadStats _stats = new();
    private readonly Stopwatch _clock = new();
    private readonly ExecutionSegment _segment;
    /// <summary>The flow around each upload (a login, a credential, a confirm); null for the one POST.</summary>
    private readonly FlowIterations? _flow;
    /// <summary>This generator's share of the scenario's in-flight limit.</summary>
    private readonly int _maxInFlight;
    private bool _prepared;
    private long _iterations;
    /// <summary>Open phases: iterations the whole run has scheduled so far, every generator's
    /// included; each one's number picks its request, so a split run sends the same requests.</summary>
    private long _scheduled;
    private int _phase;
    private long _inFlight;
    private TaskCompletionSource _idle = NewIdle();

    public LoadEngine(Scenario scenario, TargetProfile profile, RequestMix mix, TlsOptions? tls = null,
        ExecutionSegment? segment = null)
    {
        _scenario = (scenario with { ProfileSteps = Scenario.Rows(profile.Flow) }).Validate();
        _segment = segment ?? ExecutionSegment.Whole;
        _profile = profile;
        _mix = mix;
        // A split run shares the in-flight limit and the connections out, as it shares the work.
        _maxInFlight = Math.Max(1, _segment.ShareOf(scenario.MaxInFlight));
        var connections = Math.Max(1, _segment.ShareOf(scenario.Connections ?? scenario.MaxInFlight * 9));
        if ((tls ?? TlsOptions.Default).Http.Major >= 2)
        {
            // HTTP/2 multiplexes: exactly the scenario's connections (one by default), each with its streams.
            connections = Math.Max(1, _segment.ShareOf(scenario.Connections ?? 1));
            if (scenario.Streams is { } streams)
                _maxInFlight = (int)Math.Min(_maxInFlight, (long)connections * streams);
        }
        _uploader = new Uploader(connections, tls, _timings, scenario.Streams);
        // A flow's upload differs per iteration (a fresh credential, a user's token): it goes through HttpClient.
        var flow = scenario.Flow ?? profile.Flow;
        if (!flow.IsOnePost)
            _flow = new FlowIterations(flow, Uploader.CreateHttpClient(tls, TimeSpan.FromSeconds(60)), profile.Url,
                _stats);
        else if (scenario.Client == ClientKind.Auto && Http1Client.Supports(profile.Url, tls))
            _lean = new Http1Client(profile.Url, connections, tls, _timings);
        // Each client in use keeps up to its connections, and no more are busy at once than the
        // iterations in flight send.
        var clients = mix.Plans().Select(p => _lean is not null && PreparedRequest.CanPrepare(p)
            && p.Request.Url == profile.Url).Distinct().Count();
        MaxSockets = Math.Min((long)connections * clients, (long)_maxInFlight * mix.LargestBurst);
    }

    /// <summary>The most sockets this run can hold at once (see <see cref="OpenFileLimit"/>).</summary>
    public long MaxSockets { get; }

    /// <summary>Requests the lean client sends, built once before the run (the rest go through
    /// HttpClient); called by the run if not before, and before it by a worker that must be ready at a
    /// common start.</summary>
    public async Task PrepareAsync(CancellationToken cancellationToken)
    {
        if (_prepared) return;
        _prepared = true;
        var payloads = new PayloadBytes();
        foreach (var plan in _mix.Plans())
        {
            var prepared = _lean is not null && PreparedRequest.CanPrepare(plan) && plan.Request.Url == _profile.Url
                ? await PreparedRequest.CreateAsync(plan, payloads, cancellationToken).ConfigureAwait(false)
                : null;
            _plans[plan] = (prepared, plan.Request.Files().Sum(f => f.File.Payload.Length));
        }
    }

    private long _sentLean;
    private long _sentHttpClient;

    public long InFlight => Interlocked.Read(ref _inFlight);

    /// <summary>Iterations started so far (dropped ones included).</summary>
    public long Iterations => Interlocked.Read(ref _iterations);

    int ILoadDriver.Seed => _scenario.Seed;

    /// <param name="whyCancelled">What results say when <paramref name="cancellationToken"/> stops the run,
    /// asked once it has (a signal's name is known only then).</param>
    public async Task<LoadOutcome> RunAsync(Action<LoadProgress>? progress, CancellationToken cancellationToken,
        Func<string>? whyCancelled = null)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        string? interrupted = null;
        var (targetGone, clientLimit) = (false, false);
        await PrepareAsync(cancellationToken).ConfigureAwait(false);
        _clock.Start();
        var reporting = ReportAsync(progress, why =>
        {
            interrupted ??= why.Reason;
            targetGone |= why.TargetGone;
            clientLimit |= why.ClientLimit;
            stop.Cancel();
        }, stop.Token);
        try
        {
            var carry = new PhaseCarry(0, 0);
            for (_phase = 0; _phase < _scenario.Load.Count; _phase++)
            {
                stop.Token.ThrowIfCancellationRequested();
                carry = await _scenario.Load[_phase].RunAsync(this, carry, stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            interrupted ??= whyCancelled?.Invoke() ?? "interrupted";
        }
        await WhenIdleAsync();
        var duration = _clock.Elapsed;
        stop.Cancel();
        await reporting;
        var (all, byName, series) = _stats.Finish();
        return Outcome(all, byName, series, duration, interrupted, targetGone)
            with { ClientLimitReached = clientLimit };
    }

    /// <summary>Why the run stops before its plan ends.</summary>
    private sealed record Stop(string Reason, bool TargetGone = false, bool ClientLimit = false);

    /// <summary>The run so far, as it would end now: totals, the seconds closed so far, thresholds on
    /// them. A distributed run's worker sends one every second.</summary>
    public LoadOutcome Snapshot()
    {
        var (all, byName) = _stats.Totals();
        return Outcome(all, byName, _stats.Closed(), _clock.Elapsed, null, false);
    }

    private LoadOutcome Outcome(NameStats all, IReadOnlyDictionary<string, NameStats> byName,
        IReadOnlyList<SecondStats> series, TimeSpan duration, string? interrupted, bool targetGone)
    {
        var (connect, handshake) = _timings.Snapshot();
        return new LoadOutcome(all, byName, series, duration, Evaluate(_scenario.Thresholds, all, byName, duration),
            interrupted, targetGone,
            _uploader.Connections + (_lean?.Connections ?? 0), _uploader.TlsHandshakes + (_lean?.TlsHandshakes ?? 0))
        {
            ConnectTimes = connect,
            HandshakeTimes = handshake,
            SentByLeanClient = Interlocked.Read(ref _sentLean),
            SentByHttpClient = Interlocked.Read(ref _sentHttpClient),
            Segment = _segment.IsWhole ? null : _segment,
        };
    }

    Task ILoadDriver.PauseAsync(TimeSpan span, CancellationToken ct) => Task.Delay(span, ct);

    async Task ILoadDriver.InjectAsync(Func<TimeSpan, double> rateAt, TimeSpan interval, TimeSpan span,
        long? iterations, CancellationToken ct)
    {
        var phaseStart = _clock.Elapsed;
        long injected = 0;
        for (long k = 0; ; k++)
        {
            var offset = interval * k;
            if (offset >= span || iterations is { } max && injected >= max) break;
            var n = (int)Math.Round(Math.Max(0, rateAt(offset)));
            for (var i = 0; i < n; i++)
            {
                if (iterations is { } limit && injected >= limit) break;
                injected++;
                // Every generator walks the whole schedule; each starts only the iterations it owns.
                var number = _scheduled++;
                if (!_segment.Owns(number)) continue;
                var intended = phaseStart + offset + interval * i / n;
                var wait = intended - _clock.Elapsed;
                if (wait > TimeSpan.FromMilliseconds(1)) await Task.Delay(wait, ct);
                Start(number, intended, ct);
            }
            if (n == 0)
            {
                var wait = phaseStart + offset + interval - _clock.Elapsed;
                if (wait > TimeSpan.Zero) await Task.Delay(wait, ct);
            }
        }
        // A phase lasts its whole span even when its last iteration starts early in the last interval.
        if (span != TimeSpan.MaxValue)
        {
            var rest = phaseStart + span - _clock.Elapsed;
            if (rest > TimeSpan.Zero) await Task.Delay(rest, ct);
        }
    }

    private void Start(long n, TimeSpan intended, CancellationToken ct)
    {
        Interlocked.Increment(ref _iterations);
        var (shape, burst) = _mix.Pick(n);
        if (Interlocked.Read(ref _inFlight) >= _maxInFlight)
        {
            _stats.RecordDropped(shape.Name, _clock.Elapsed);
            return;
        }
        Enter();
        _ = RunIterationAsync(shape.Name, burst, intended, n, ct);
    }

    async Task ILoadDriver.ClosedAsync(Func<TimeSpan, int> copiesAt, int maxCopies, TimeSpan span, long? iterations,
        CancellationToken ct)
    {
        var phaseStart = _clock.Elapsed;
        // Iterations of a closed phase are numbered within it: the phase's base, then the numbers
        // this generator owns, claimed by whichever of its copies is free first.
        var phaseBase = (long)_phase << 40;
        long claimed = -1;
        async Task Copy(int index)
        {
            while (!ct.IsCancellationRequested)
            {
                var t = _clock.Elapsed - phaseStart;
                if (t >= span) return;
                if (index >= copiesAt(t))
                {
                    // Ramping: this copy is not due yet; the ramp is re-read every few milliseconds.
                    await Task.Delay(10, ct);
                    continue;
                }
                var local = _segment.NthOwned(Interlocked.Increment(ref claimed));
                if (iterations is { } limit && local >= limit) return;
                var n = phaseBase + local;
                Interlocked.Increment(ref _iterations);
                var (shape, burst) = _mix.Pick(n);
                Enter();
                if (burst.Length > 1)
                {
                    await RunIterationAsync(shape.Name, burst, _clock.Elapsed, n, ct);
                    continue;
                }
                // One upload per iteration, awaited here: a level of async less per request.
                try
                {
                    await SendAsync(shape.Name, burst[0], _clock.Elapsed, n, ct);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    return;
                }
                finally
                {
                    Exit();
                }
            }
        }
        await Task.WhenAll(_segment.OwnedCopies(maxCopies).Select(Copy));
    }

    private async Task RunIterationAsync(string name, RequestPlan[] burst, TimeSpan intended, long iteration,
        CancellationToken ct)
    {
        try
        {
            if (burst.Length == 1) await SendAsync(name, burst[0], intended, iteration, ct);
            else await Task.WhenAll(burst.Select(plan => SendAsync(name, plan, intended, iteration, ct).AsTask()));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopped by Ctrl-C or abort-on-fail: an unfinished request is not a measurement.
        }
        finally
        {
            Exit();
        }
    }

    [System.Runtime.CompilerServices.AsyncMethodBuilder(
        typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendAsync(string name, RequestPlan plan, TimeSpan intended, long iteration,
        CancellationToken ct)
    {
        var sampled = Sampled(iteration);
        UploadOutcome outcome;
        var (prepared, payloadBytes) = _plans[plan];
        string? stepFailed = null;
        try
        {
            if (_flow is not null)
            {
                Interlocked.Increment(ref _sentHttpClient);
                var (flowOutcome, uploadStart, failedStep) = await _flow.RunAsync(plan,
                    p => _uploader.SendAsync(p, null, ct), () => _clock.Elapsed, intended, _profile.Success, ct)
                    .ConfigureAwait(false);
                // The upload row times the upload; the flow row (and the steps') time the rest.
                intended = flowOutcome is null ? intended : uploadStart;
                stepFailed = failedStep;
                outcome = flowOutcome ?? new UploadOutcome
                {
                    ErrMsg = $"uploadFile:fail the flow's {failedStep} failed",
                    Failure = FailureKind.Other,
                    Error = $"the flow's {failedStep} failed",
                };
            }
            else if (prepared is not null)
            {
                Interlocked.Increment(ref _sentLean);
                outcome = await _lean!.SendAsync(prepared, sampled || _profile.Success.Json.Count > 0,
                    ct).ConfigureAwait(false);
            }
            else
            {
                Interlocked.Increment(ref _sentHttpClient);
                outcome = await _uploader.SendAsync(plan, null, ct).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (!(e is OperationCanceledException && ct.IsCancellationRequested))
        {
            // An exchange the clients did not turn into an outcome (a cancellation not the run's own
            // included) is one failed upload, counted as "other" with its message, never the end of the
            // run and everything it gathered.
            outcome = new UploadOutcome
            {
                ErrMsg = "uploadFile:fail " + e.Message.ReplaceLineEndings(" "),
                Failure = FailureKind.Other,
                Error = $"{e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}",
            };
        }
        var end = _clock.Elapsed;
        var service = outcome.Elapsed - outcome.TimeToBodyStart;
        var abortedByScenario = plan.Wire.AbortAt is not null && outcome.Failure == FailureKind.Aborted;
        var ok = !abortedByScenario && outcome.Answered && _profile.Success.Holds(outcome, out _);
        string? checkFailure = null;
        if (ok && sampled) checkFailure = EchoReader.Mismatch(_profile.Echo, outcome.Data, plan.Request.File.Payload);
        _stats.Record(new RequestSample(
            name,
            end - intended,
            service > TimeSpan.Zero ? service : outcome.Elapsed,
            outcome.StatusCode,
            outcome.Failure,
            ok && checkFailure is null,
            abortedByScenario,
            checkFailure,
            outcome.BytesSent,
            outcome.BytesReceived,
            payloadBytes)
        {
            Blocked = outcome.TimeToBodyStart, Phases = outcome.Phases, StepFailed = stepFailed,
            Retried = outcome.Retried,
        }, end, InFlight);
    }

    private bool Sampled(long iteration) => _scenario.CheckFraction >= 1
        || (_scenario.CheckFraction > 0 && iteration % (long)Math.Round(1 / _scenario.CheckFraction) == 0);

    private Task ReportAsync(Action<LoadProgress>? progress, Action<Stop> stopWith, CancellationToken ct)
    {
        var planned = _scenario.PlannedDuration;
        long lastOk = 0, lastRefused = 0, lastRequests = 0;
        var lastTick = TimeSpan.Zero;
        return Ticker.EverySecondAsync(() =>
        {
            var now = _clock.Elapsed;
            _stats.CloseSecondsBefore(now);
            var (requests, failed, dropped, p99, _) = _stats.Snapshot();
            var (all, byName) = _stats.Totals();
            var thresholds = Evaluate(_scenario.Thresholds, all, byName, now);
            // Requests finished since the last tick: the rate now, not that of the last closed second (a
            // second closes only once every request started in it has finished, one to three ticks late).
            var rps = (requests - lastRequests) / Math.Max((now - lastTick).TotalSeconds, 1e-3);
            (lastRequests, lastTick) = (requests, now);
            progress?.Invoke(
                new LoadProgress(now, planned, rps, requests, failed, dropped, p99, InFlight)
                {
                    All = all,
                    ByName = byName,
                    Thresholds = thresholds,
                });

            var refused = all.Errors.GetValueOrDefault("refused");
            if (refused > lastRefused && all.Ok == lastOk)
                stopWith(new Stop("target stopped answering (connections refused)", TargetGone: true));
            // Out of sockets, every further iteration fails at once: say so and stop, rather than spin.
            if (all.Errors.GetValueOrDefault(NameStats.ClientLimitError) > 0)
                stopWith(new Stop($"this machine's open-file limit was reached with {InFlight} uploads in flight, "
                    + "each holding a socket: raise it (ulimit -n) or lower the scenario's connections and copies",
                    ClientLimit: true));
            (lastOk, lastRefused) = (all.Ok, refused);
            // A generator's share says nothing about the whole run's thresholds (its requests, its rps):
            // in a split run only the coordinator, on merged figures, aborts.
            if (_segment.IsWhole && ThresholdResult.Aborting(_scenario, thresholds) is { } breached)
                stopWith(new Stop(breached.Breach));
            return ValueTask.FromResult(true);
        }, ct);
    }

    public static IReadOnlyList<ThresholdResult> Evaluate(IReadOnlyList<Threshold> thresholds, NameStats all,
        IReadOnlyDictionary<string, NameStats> byName, TimeSpan duration) =>
        thresholds.Select(t =>
        {
            var stats = t.Scope is null ? all : byName.GetValueOrDefault(t.Scope) ?? new NameStats();
            var actual = ThresholdMetric.Find(t.Metric)!.Read(stats, duration);
            return new ThresholdResult(t.Text, t.Scope, t.Metric, Math.Round(actual, 3), t.Holds(actual));
        }).ToList();

    private void Enter()
    {
        if (Interlocked.Increment(ref _inFlight) == 1) Interlocked.Exchange(ref _idle, NewIdle());
    }

    private void Exit()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0) _idle.TrySetResult();
    }

    private Task WhenIdleAsync() => Interlocked.Read(ref _inFlight) == 0 ? Task.CompletedTask : _idle.Task;

    private static TaskCompletionSource NewIdle() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Dispose()
    {
        _uploader.Dispose();
        _lean?.Dispose();
        _flow?.Dispose();
    }
}
