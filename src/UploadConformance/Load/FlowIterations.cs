using System.Collections.Concurrent;
using UploadConformance.Flows;
using UploadConformance.Targets;
using UploadConformance.Wire;

namespace UploadConformance.Load;

/// <summary>A load run's iterations when the upload is a flow: each is the whole flow (the credential, the
/// upload, the confirm) for one virtual user, whose login runs once and again after a 401. Every step is a row
/// of its own (<see cref="LoadStats.RecordName"/>), and so is the whole flow, under <see cref="FlowRow"/>,
/// timed from the iteration's intended start; the upload itself stays the row the engine records.</summary>
public sealed class FlowIterations(Flow flow, HttpClient http, Uri baseUrl, LoadStats stats) : IDisposable
{
    /// <summary>The row of whole flows: from the intended start to the last step's end.</summary>
    public const string FlowRow = "flow";

    // Virtual users: a session is taken by an iteration and given back, so a user's login is reused as k6
    // reuses a VU, and no more sessions exist than iterations ever ran at once.
    private readonly ConcurrentBag<FlowSession> _users = [];
    private readonly FlowShared _shared = new();

    /// <summary>The flow's names, each a row: the steps before the upload, then those after it.</summary>
    public IEnumerable<string> StepNames => flow.Before.Concat(flow.After).Select(s => s.Name).Append(FlowRow);

    /// <summary>Runs the steps before the upload, sends it through <paramref name="send"/> (the engine's
    /// client, so aborts, slow links and timeouts apply to the upload alone), and the steps after a stored one.
    /// Returns the upload's outcome and when it started, or the step that failed before it.</summary>
    public async Task<(UploadOutcome? Outcome, TimeSpan UploadStart, string? FailedStep)> RunAsync(RequestPlan plan,
        Func<RequestPlan, Task<UploadOutcome>> send, Func<TimeSpan> now, TimeSpan intended, SuccessRule success,
        CancellationToken ct)
    {
        var session = Take();
        UploadOutcome? outcome = null;
        string? failed = null;
        var uploadStart = now();
        try
        {
            var upload = await session.BeforeAsync(plan.Request.File, ct).ConfigureAwait(false);
            failed = upload.Steps.FirstOrDefault(s => !s.Ok)?.Name;
            if (failed is null)
            {
                uploadStart = now();
                (_, outcome) = await session.SendUploadAsync(plan, upload, send, ct).ConfigureAwait(false);
                if (success.Holds(outcome, out _)) await session.AfterAsync(upload, ct).ConfigureAwait(false);
                failed = upload.Steps.FirstOrDefault(s => !s.Ok)?.Name;
            }
            var ok = failed is null && outcome is not null && success.Holds(outcome, out _);
            var end = now();
            stats.RecordName(new RequestSample(FlowRow, end - intended, end - uploadStart, ok ? 200 : null,
                ok ? FailureKind.None : FailureKind.Other, ok, false, null, 0, 0, 0)
            {
                StepFailed = ok ? null : failed ?? "upload",
            });
            return (outcome, uploadStart, outcome is null ? failed : null);
        }
        finally
        {
            _users.Add(session);
        }
    }

    private FlowSession Take() => _users.TryTake(out var session) ? session
        : new FlowSession(flow, http, _shared, baseUrl) { Finished = Record };

    private void Record(StepResult step) => stats.RecordName(new RequestSample(step.Name, step.Elapsed, step.Elapsed,
        step.Status, step.Status is null ? FailureKind.Other : FailureKind.None, step.Ok || step.LoggedInAgain, false,
        step.MissedCapture ? "capture" : null, step.BytesSent, step.BytesReceived, 0));

    public void Dispose() => http.Dispose();
}
