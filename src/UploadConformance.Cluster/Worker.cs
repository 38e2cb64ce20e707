using System.Diagnostics;
using System.Net.Http.Json;
using UploadConformance.Load;
using UploadConformance.Payloads;
using UploadConformance.Results;
using UploadConformance.Scenarios;
using UploadConformance.Targets;
using UploadConformance.Wire;

namespace UploadConformance.Cluster;

/// <summary>The worker's side of the protocol (ClusterProtocol.cs): every call bounded,
/// every answer checked.</summary>
public sealed class CoordinatorClient(Uri coordinator, HttpClient http)
{
    public Uri Coordinator { get; } = coordinator;

    /// <summary>Registers, retrying while the coordinator is not up yet (pods start in any order), for
    /// up to <paramref name="wait"/>.</summary>
    public async Task<Assignment> RegisterAsync(Registration registration, TimeSpan wait,
        CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await http.PostAsJsonAsync(new Uri(Coordinator, "/v1/register"), registration,
                    ResultsJson.Options, cancellationToken).ConfigureAwait(false);
                return await ReadAsync<Assignment>(response, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e) when (e.StatusCode is null && clock.Elapsed < wait)
            {
                // Not listening yet: a Kubernetes Service answers once the coordinator's pod is ready.
                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e) when (e.StatusCode is null)
            {
                throw new ClusterException($"coordinator {Coordinator} did not answer within "
                    + $"{wait.TotalSeconds:0.#} s: {e.Message}");
            }
        }
    }

    /// <summary>The coordinator's clock minus ours, from the exchange with the shortest round trip
    /// (Cristian's algorithm): the common start is on the coordinator's clock.</summary>
    public async Task<double> ClockOffsetMsAsync(CancellationToken cancellationToken)
    {
        var best = (RoundTrip: double.MaxValue, Offset: 0.0);
        for (var i = 0; i < 5; i++)
        {
            var before = DateTimeOffset.UtcNow;
            var reading = await http.GetFromJsonAsync<ClockReading>(new Uri(Coordinator, "/v1/clock"),
                ResultsJson.Options, cancellationToken).ConfigureAwait(false)
                ?? throw new ClusterException($"coordinator {Coordinator} sent no clock reading");
            var after = DateTimeOffset.UtcNow;
            var roundTrip = (after - before).TotalMilliseconds;
            if (roundTrip < best.RoundTrip)
                best = (roundTrip, reading.UnixMs - (before.ToUnixTimeMilliseconds() + roundTrip / 2));
        }
        return best.Offset;
    }

    /// <summary>Says this worker is ready and waits for the common start (coordinator's clock), for up
    /// to <paramref name="wait"/>.</summary>
    public async Task<long> WaitForStartAsync(Ready ready, TimeSpan wait, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < wait)
        {
            using var response = await http.PostAsJsonAsync(new Uri(Coordinator, "/v1/ready"), ready,
                ResultsJson.Options, cancellationToken).ConfigureAwait(false);
            if ((await ReadAsync<StartSignal>(response, cancellationToken).ConfigureAwait(false)).StartUnixMs is
                { } start) return start;
        }
        throw new ClusterException($"the other workers were not ready within {wait.TotalSeconds:0.#} s");
    }

    /// <summary>The coordinator's answer, or null when the report did not get through (it is sent again
    /// with the next one: reports carry totals, and seconds until accepted).</summary>
    public async Task<ReportAnswer?> ReportAsync(WorkerReport report, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.PostAsJsonAsync(new Uri(Coordinator, "/v1/report"), report,
                ResultsJson.Options, cancellationToken).ConfigureAwait(false);
            return await ReadAsync<ReportAnswer>(response, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or ClusterException
            || e is TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new ClusterException($"coordinator {Coordinator} refused: {(int)response.StatusCode} "
                + Text.UntrustedText.ForTerminal(body.Length > 300 ? body[..300] : body));
        }
        return await response.Content.ReadFromJsonAsync<T>(ResultsJson.Options, cancellationToken)
            .ConfigureAwait(false) ?? throw new ClusterException($"coordinator {Coordinator} sent an empty answer");
    }
}

/// <summary>One generator of a split run: its share of the scenario, started at the common instant,
/// reporting its totals every second, stopped when the coordinator says so. Its own results are
/// returned too, so they are written even if the coordinator is gone.</summary>
public sealed class Worker(CoordinatorClient coordinator, Assignment assignment, Scenario scenario,
    TargetProfile profile, TlsOptions tls)
{
    public ExecutionSegment Segment { get; } = new(assignment.Index, assignment.Count);

    /// <param name="say">One line for the console, now and then.</param>
    /// <param name="whyCancelled">What results say when <paramref name="cancellationToken"/> stops the run.</param>
    public async Task<(LoadOutcome Outcome, LoadResults Results, bool Delivered)> RunAsync(TimeSpan readyWait,
        Action<string>? say, Func<string>? whyCancelled, CancellationToken cancellationToken)
    {
        var offsetMs = await coordinator.ClockOffsetMsAsync(cancellationToken).ConfigureAwait(false);
        var mix = new RequestMix(scenario, profile, ImageFactory.Default());
        using var engine = new LoadEngine(scenario, profile, mix, tls, Segment);
        OpenFileLimit.Check(engine.MaxSockets);
        await engine.PrepareAsync(cancellationToken).ConfigureAwait(false);
        var start = await coordinator.WaitForStartAsync(new Ready(Segment.Index, Math.Round(offsetMs, 1)), readyWait,
            cancellationToken).ConfigureAwait(false);
        var localStart = DateTimeOffset.FromUnixTimeMilliseconds(start) - TimeSpan.FromMilliseconds(offsetMs);
        var wait = localStart - DateTimeOffset.UtcNow;
        say?.Invoke($"worker {Segment}: starting in {Math.Max(0, wait.TotalSeconds):0.0} s "
            + $"(clock offset {offsetMs:+0.0;-0.0} ms)");
        if (wait > TimeSpan.Zero) await Task.Delay(wait, cancellationToken).ConfigureAwait(false);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        string? told = null;
        var accepted = 0;
        async ValueTask<bool> ReportAsync()
        {
            var now = LoadResults.Of(scenario, engine.Snapshot());
            var answer = await coordinator.ReportAsync(
                new WorkerReport(Segment.Index, false, now with { Series = now.Series.Skip(accepted).ToList() },
                    InFlight: engine.InFlight), stop.Token).ConfigureAwait(false);
            if (answer is null) return true;
            accepted = now.Series.Count;
            if (answer.Stop is { } reason)
            {
                told ??= reason;
                await stop.CancelAsync().ConfigureAwait(false);
            }
            return true;
        }
        var reporting = Ticker.EverySecondAsync(ReportAsync, stop.Token);
        var outcome = await engine.RunAsync(null, stop.Token,
            () => told ?? whyCancelled?.Invoke() ?? "interrupted").ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        try { await reporting.ConfigureAwait(false); } catch (OperationCanceledException) { }

        var results = LoadResults.Of(scenario, outcome);
        var unaccepted = results with { Series = results.Series.Skip(accepted).ToList() };
        var final = new WorkerReport(Segment.Index, true, unaccepted, outcome.Interrupted);
        // The final report matters most: a few tries, each bounded, before the worker gives up on it.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            if (await coordinator.ReportAsync(final, bound.Token).ConfigureAwait(false) is not null)
                return (outcome, results, true);
            await Task.Delay(TimeSpan.FromMilliseconds(500), CancellationToken.None).ConfigureAwait(false);
        }
        return (outcome, results, false);
    }
}
