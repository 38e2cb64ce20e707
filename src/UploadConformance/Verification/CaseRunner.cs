using System.ComponentModel;
using System.Diagnostics;
using UploadConformance.Flows;
using UploadConformance.Requests;
using UploadConformance.Targets;
using UploadConformance.Wire;

namespace UploadConformance.Verification;

/// <summary>A server that stopped answering after a case: how long it stayed down, and whether it came back.</summary>
[Description("A crash, on the case that caused it.")]
public sealed record CrashRecord(
    [property: Description("How long `/health` stayed down (until it came back or the run gave up).")]
    double DownMs,
    [property: Description("Whether it came back within `--recovery`.")]
    bool Recovered);

/// <summary>Runs one case: sends its request, looks up whatever evidence the <see cref="Grader"/> asks for
/// (what was stored, what was left behind), applies the case's extra checks, and afterwards holds the case
/// responsible if the server died.</summary>
public sealed class CaseRunner
{
    public CaseRunner(Uploader uploader, HttpClient http, TargetProfile profile)
    {
        Uploader = uploader;
        Http = http;
        Grader = new Grader(profile);
        Probe = new TargetProbe(http, profile, uploader.Tls);
        Stored = new StoredVerifier(http, profile);
        Cleanup = new CleanupProbe(Probe);
        Session = profile.Flow.IsOnePost ? null : new FlowSession(profile.Flow, http, new FlowShared(), profile.Url);
    }

    /// <summary>The flow's steps around each upload (one virtual user: the login runs once), or null for the
    /// one POST.</summary>
    public FlowSession? Session { get; }

    public Uploader Uploader { get; }
    public HttpClient Http { get; }
    public Grader Grader { get; }
    public TargetProfile Profile => Grader.Profile;
    public TargetProbe Probe { get; }
    public StoredVerifier Stored { get; }
    public CleanupProbe Cleanup { get; }
    /// <summary>The longest a raw exchange may take before it counts as a hang.</summary>
    public TimeSpan RawBound { get; init; } = TimeSpan.FromSeconds(15);
    /// <summary>How long a server that died may take to come back (a supervisor restarting it) before
    /// the run gives up on it; zero gives up at once.</summary>
    public TimeSpan Recovery { get; init; } = TimeSpan.FromSeconds(30);

    public async Task<CaseResult> RunAsync(UploadCase @case, CancellationToken cancellationToken,
        Action<long, long>? progress = null)
    {
        var clock = Stopwatch.StartNew();
        CaseResult result;
        if (@case.Request is CaseRequest.Several several)
        {
            result = await RunSeveralAsync(@case, several, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var before = await Probe.StatsAsync(cancellationToken).ConfigureAwait(false);
            var (outcome, summary, sent, flow) =
                await SendAsync(@case.Request, progress, cancellationToken).ConfigureAwait(false);
            var expect = Grader.Effective(@case.Expect, sent);
            var grade = flow?.NotTried is { } why ? new Grade(Verdict.Informational, null, $"not tried: {why}", [])
                : await GradeAsync(expect, @case.Form, outcome, sent, before, cancellationToken).ConfigureAwait(false);
            grade = Grader.ApplyExtras(@case.Extra, outcome, grade);
            if (flow is not null) grade = await AfterAsync(flow, outcome, grade, cancellationToken)
                .ConfigureAwait(false);
            result = Grader.Result(@case, expect, grade, summary, OutcomeSummary.Of(outcome));
        }
        if (await Cleanup.CrashAsync(Recovery, cancellationToken).ConfigureAwait(false) is { } crash)
            result = Grader.Died(result, crash, Recovery);
        return result with { DurationMs = Math.Round(clock.Elapsed.TotalMilliseconds, 2) };
    }

    /// <summary>One exchange graded by the one rule: the grader judges, asking for evidence until it can.</summary>
    public async Task<Grade> GradeAsync(Expectation expect, RequestForm form, UploadOutcome outcome, SentUpload sent,
        StatsSnapshot? before, CancellationToken cancellationToken)
    {
        var evidence = Evidence.None;
        // Each need fills its own slot of the evidence, and there are three: a fourth round is a grader bug.
        for (var round = 0; round < 4; round++)
        {
            var judgement = Grader.Judge(expect, form, outcome, sent, evidence);
            if (judgement.Grade is { } grade) return grade;
            evidence = judgement.Needs switch
            {
                EvidenceNeed.Stored { Lawful: true } s => evidence with
                {
                    Lawful = await Stored.VerifyAsync(s.Sent, outcome, s.Filename, cancellationToken, s.ContentType)
                        .ConfigureAwait(false),
                },
                EvidenceNeed.Stored s => evidence with
                {
                    Stored = await Stored.VerifyAsync(s.Sent, outcome, s.Filename, cancellationToken, s.ContentType)
                        .ConfigureAwait(false),
                },
                EvidenceNeed.Cleanup c => evidence with
                {
                    Cleanup = await Cleanup.NothingKeptAsync(before, c.RequireDiscard, cancellationToken)
                        .ConfigureAwait(false),
                },
                _ => throw new InvalidOperationException($"the grader asked for {judgement.Needs}"),
            };
        }
        throw new InvalidOperationException("the grader kept asking for evidence it was given");
    }

    public async Task<(UploadOutcome, RequestSummary, SentUpload, FlowUpload?)> SendAsync(CaseRequest request,
        Action<long, long>? progress, CancellationToken cancellationToken)
    {
        switch (request)
        {
            case CaseRequest.Planned p when Session is not null:
                return await SendInFlowAsync(Session, WithProfileHeaders(p.Plan), p.Changes, progress,
                    cancellationToken).ConfigureAwait(false);
            case CaseRequest.Planned p:
                var plan = WithProfileHeaders(p.Plan);
                return (await Uploader.SendAsync(plan, progress, cancellationToken).ConfigureAwait(false),
                    RequestSummary.Of(plan), SentUpload.Of(plan), null);
            case CaseRequest.Raw r:
                IReadOnlyList<KeyValuePair<string, string>> flowHeaders = Session is null ? []
                    : await Session.RawHeadersAsync(cancellationToken).ConfigureAwait(false);
                var raw = r.Request with { Headers = [.. r.Request.Headers, .. Profile.Headers, .. flowHeaders] };
                var outcome =
                    await RawHttpSender.SendAsync(Profile.Url, raw, RawBound, cancellationToken,
                    Uploader.Tls).ConfigureAwait(false);
                return (outcome, RequestSummary.OfRaw(Profile.Url, r), SentUpload.Of(r), null);
            default:
                throw new ArgumentException("several uploads are sent one by one", nameof(request));
        }
    }

    /// <summary>The steps before the upload, the upload as the flow shapes it, and what it stored. A step that
    /// refused stands for the endpoint's answer: a backend may refuse the credential for a file over its
    /// limit, lawfully, and an ordinary upload refused there is refused all the same.</summary>
    private async Task<(UploadOutcome, RequestSummary, SentUpload, FlowUpload?)> SendInFlowAsync(
        FlowSession session, RequestPlan plan, IReadOnlyList<FlowChange>? changes, Action<long, long>? progress,
        CancellationToken ct)
    {
        var flow = await session.BeforeAsync(plan.Request.File, ct).ConfigureAwait(false);
        if (flow.Steps.FirstOrDefault(s => !s.Ok) is { } failed)
        {
            // A refusal stands as the answer; a step that answered 2xx without what it should capture, or did
            // not answer, left the app with nothing to upload with.
            int? refusal = failed.Status is { } s and not (>= 200 and < 300) ? s : null;
            return (new UploadOutcome
            {
                ErrMsg = refusal is null ? $"request:fail {failed.Failure}" : "request:ok",
                Failure = refusal is null ? FailureKind.Other : FailureKind.None,
                StatusCode = refusal,
                Data = failed.Answer,
                Error = $"the flow's {flow.Failure}",
                Elapsed = failed.Elapsed,
            }, RequestSummary.Of(plan), SentUpload.Of(plan) with { Values = flow.Values }, flow);
        }
        var (sent, outcome) = await session.SendUploadAsync(plan, flow,
            applied => Uploader.SendAsync(applied, progress, ct), ct, changes).ConfigureAwait(false);
        return (outcome, RequestSummary.Of(sent), SentUpload.Of(sent) with { Values = flow.Values }, flow);
    }

    /// <summary>The steps after an upload that was stored (the confirm): one that fails fails the case, because
    /// the app never learns its file arrived.</summary>
    private async Task<Grade> AfterAsync(FlowUpload flow, UploadOutcome outcome, Grade grade, CancellationToken ct)
    {
        if (Session is null || Session.Flow.After.Count == 0 || !Profile.Success.Holds(outcome, out _)
            || flow.Failure is not null) return grade;
        await Session.AfterAsync(flow, ct).ConfigureAwait(false);
        return flow.Steps.FirstOrDefault(s => !s.Ok) is { } failed
            ? Grade.Fail(Severity.Hard, $"stored, but the flow's {flow.Failure}",
                [.. grade.Checks, new Check(failed.Name, false, "2xx", failed.Status?.ToString() ?? "no answer")])
            : grade with
            {
                Checks = [.. grade.Checks, .. Session.Flow.After.Select(s => new Check(s.Name, true, "2xx",
                    flow.Steps.Last(r => r.Name == s.Name).Status?.ToString()))],
            };
    }

    public RequestPlan WithProfileHeaders(RequestPlan plan) => Profile.Headers.Count == 0
        ? plan
        : plan with { Request = plan.Request with { Header = [.. plan.Request.Header, .. Profile.Headers] } };

    /// <summary>Sends each upload (one after another, or all at once), each graded as stored exactly
    /// (the profile's limits applied); the case is as bad as its worst.</summary>
    private async Task<CaseResult> RunSeveralAsync(UploadCase @case, CaseRequest.Several several,
        CancellationToken ct)
    {
        async Task<(string Label, UploadOutcome Outcome, Grade Grade)> One((string Label, RequestPlan Plan) upload)
        {
            var (outcome, _, sent, _) =
                await SendAsync(new CaseRequest.Planned(upload.Plan), null, ct).ConfigureAwait(false);
            var expect = Grader.Effective(Expectation.StoredExactly, sent);
            return (upload.Label, outcome,
                await GradeAsync(expect, RequestForm.WellFormed, outcome, sent, null, ct).ConfigureAwait(false));
        }
        var results = new List<(string Label, UploadOutcome Outcome, Grade Grade)>();
        if (several.AtOnce) results.AddRange(await Task.WhenAll(several.Uploads.Select(One)).ConfigureAwait(false));
        else foreach (var upload in several.Uploads) results.Add(await One(upload).ConfigureAwait(false));

        var summary = RequestSummary.OfSeveral(Profile.Url, $"{several.Uploads.Count} uploads"
            + $"{(several.AtOnce ? " at once" : "")}: {string.Join(", ", several.Uploads.Select(u => u.Label))}");
        var first = results[0].Outcome;
        return Grader.Result(@case, Expectation.StoredExactly, Grader.Several(results, several.NoteSameUrl), summary,
            OutcomeSummary.Of(first with
            {
                Elapsed = results.Max(r => r.Outcome.Elapsed),
                BytesSent = results.Sum(r => r.Outcome.BytesSent),
                BytesExpected = results.Sum(r => r.Outcome.BytesExpected),
            }));
    }
}
