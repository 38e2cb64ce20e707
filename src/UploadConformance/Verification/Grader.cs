using System.Text.Json;
using UploadConformance.Requests;
using UploadConformance.Targets;
using UploadConformance.Text;
using UploadConformance.Wire;

namespace UploadConformance.Verification;

/// <summary>What the grader asks to see beyond the answer itself; the runner looks it up and asks again.</summary>
public abstract record EvidenceNeed
{
    /// <summary>The stored upload compared with <paramref name="Sent"/> (echo and fetch-back); with
    /// <paramref name="Lawful"/>, with the case's other lawful reading of the request.</summary>
    public sealed record Stored(SentUpload Sent, FilenameRule Filename, bool ContentType, bool Lawful = false)
        : EvidenceNeed;

    /// <summary>The server's counters after the case: nothing kept; with <paramref name="RequireDiscard"/>,
    /// a discard counted.</summary>
    public sealed record Cleanup(bool RequireDiscard) : EvidenceNeed;
}

/// <summary>What has been looked up so far; null is "not looked up", never "found nothing".</summary>
public sealed record Evidence
{
    public IReadOnlyList<Check>? Stored { get; init; }
    public IReadOnlyList<Check>? Lawful { get; init; }
    public IReadOnlyList<Check>? Cleanup { get; init; }

    public static readonly Evidence None = new();
}

/// <summary>The grader's answer: a grade, or the evidence it needs first. Exactly one is set.</summary>
public readonly record struct Judgement(Grade? Grade, EvidenceNeed? Needs)
{
    public static implicit operator Judgement(Grade grade) => new(grade, null);
}

/// <summary>The catalog's one grading rule (suites/README.md says it in words): the expectation, with the
/// profile's declared limits applied, against the outcome and the evidence looked up. No I/O: what it cannot
/// see in the answer it asks for (<see cref="EvidenceNeed"/>), so every branch is testable without a server.</summary>
public sealed class Grader(TargetProfile profile)
{
    /// <summary>The reason of a fail for refusing an upload a real client sends, within every declared limit.</summary>
    public const string RefusedOrdinary = "the endpoint refused an ordinary upload within its declared limits";

    public TargetProfile Profile { get; } = profile;

    /// <summary>The expectation for this target: a request over a limit the profile declares expects
    /// a limit refusal, whatever the case expected of an ordinary upload.</summary>
    public Expectation Effective(Expectation expect, SentUpload sent) => Effective(Profile, expect, sent);

    public static Expectation Effective(TargetProfile profile, Expectation expect, SentUpload sent)
    {
        if (expect is not (Expectation.Stored or Expectation.StoredOrRefused or Expectation.Observed)) return expect;
        return DeclaredLimitCheck.Over(profile.Limits, sent) ?? expect;
    }

    /// <summary>A case's expectation sentence for <paramref name="profile"/>, without sending anything.</summary>
    public static string ExpectationFor(TargetProfile profile, UploadCase @case) => @case.Request switch
    {
        CaseRequest.Planned p => @case.ExpectationText(Effective(profile, @case.Expect, SentUpload.Of(p.Plan))),
        CaseRequest.Raw r => @case.ExpectationText(Effective(profile, @case.Expect, SentUpload.Of(r))),
        _ => @case.ExpectationText(@case.Expect),
    };

    /// <summary>One exchange graded by the rule, or the evidence still needed to grade it.</summary>
    public Judgement Judge(Expectation expect, RequestForm form, UploadOutcome outcome, SentUpload sent,
        Evidence evidence)
    {
        if (expect is Expectation.AbortedClean or Expectation.TimedOutClean)
        {
            if (evidence.Cleanup is not { } kept) return Need(new EvidenceNeed.Cleanup(RequireDiscard: true));
            var wanted = expect is Expectation.AbortedClean ? "uploadFile:fail abort" : "uploadFile:fail timeout";
            return Grade.From(
            [
                new("errMsg", outcome.ErrMsg == wanted, wanted, outcome.ErrMsg),
                new("mid-stream", outcome.BytesSent > 0 && outcome.BytesSent < outcome.BytesExpected,
                    $"between 0 and {outcome.BytesExpected} bytes sent", $"{outcome.BytesSent}"),
                .. kept,
            ], Severity.Hard);
        }

        // A hang: nothing came back within the bound.
        if (outcome.Failure == FailureKind.Timeout)
            return Grade.Fail(Severity.Hard, $"no answer: {outcome.Error}",
                new Check("answered", false, "an answer", outcome.Error));
        if (!outcome.Answered)
        {
            var closed = new Check("answered", false, "an HTTP answer", $"{outcome.ErrMsg} ({outcome.Error})");
            if (expect is Expectation.Refused { ClosingIsFine: true })
                return Kept(Grade.Pass(closed with { Name = "closed", Ok = true, Expected = "an answer or a close" }),
                    evidence);
            // A request a correct client may send deserves an answer; closing on a malformed or oversized one is safe.
            if (form == RequestForm.WellFormed && expect is not Expectation.OverLimit)
                return Grade.Fail(Severity.Hard,
                    $"no answer to a well-formed request: {outcome.ErrMsg} ({outcome.Error})", closed);
            return Kept(new Grade(Verdict.NonStrict, null, "closed the connection without an answer", [closed]),
                evidence);
        }
        if (AnswerForensics.StackTrace(outcome.Data) is { } trace)
            return Grade.Fail(Severity.Hard, $"the answer leaks a stack trace ({trace})",
                new Check("no stack trace", false, "an answer without the server's insides", trace));
        var ordinary = expect is Expectation.Stored { Ordinary: true };
        var successStatus = string.Join("|", Profile.Success.Status);
        if (outcome.StatusCode >= 500)
            return ordinary
                ? Kept(Grade.Fail(Severity.Hard, $"{RefusedOrdinary} with {outcome.StatusCode}"
                    + $"{RefusalHint(sent, outcome.StatusCode.Value)}: {Excerpt(outcome.Data, 100)}",
                    new Check("status", false, successStatus, outcome.StatusCode.ToString())), evidence)
                : Grade.Fail(Severity.Soft, $"answered {outcome.StatusCode}: {Excerpt(outcome.Data, 100)}",
                    new Check("status", false, "2xx or a 4xx refusal", outcome.StatusCode.ToString()));

        var reading = Profile.Success.Read(outcome);
        if (reading.Kind == AnswerKind.Success) return Accepted(expect, outcome, sent, evidence);
        if (reading.Kind == AnswerKind.Unreadable && expect is Expectation.Stored or Expectation.StoredOrRefused)
            return Grade.Fail(Severity.Hard,
                $"answered {reading.Detail}: the client cannot tell whether its file was stored",
                new Check("answer", false, "the JSON the profile's success rule reads", reading.Detail));
        var businessError = reading.Kind == AnswerKind.Refusal ? null : reading.Detail;
        var status = outcome.StatusCode ?? 0;
        return expect switch
        {
            // An ordinary upload refused: the endpoint's users cannot upload. An edge one: safe, imperfect.
            Expectation.Stored => Kept(new Grade(ordinary ? Verdict.Fail : Verdict.NonStrict,
                    ordinary ? Severity.Hard : null,
                    $"{(ordinary ? RefusedOrdinary : "refused a well-formed upload")} with "
                    + $"{businessError ?? status.ToString()}{RefusalHint(sent, status)}: {Excerpt(outcome.Data, 80)}",
                    [new Check("status", false, successStatus,
                    $"{status}{(businessError is null ? "" : " + " + businessError)}")]), evidence),
            Expectation.StoredOrRefused either => Refusal(outcome, either.Preferred, businessError, evidence,
                Profile.Storage),
            Expectation.Refused refused => Refusal(outcome, refused.Preferred, businessError, evidence,
                Profile.Storage),
            Expectation.OverLimit over => Refusal(outcome, over.Preferred, businessError, evidence,
                Profile.Storage),
            Expectation.Observed observed =>
            new Grade(Verdict.Informational, null, $"{observed.What}: {status} {Excerpt(outcome.Data, 160)}",
                [new Check("status", true, null, status.ToString())]),
            _ => throw new ArgumentOutOfRangeException(nameof(expect), expect, null),
        };
    }

    /// <summary>A success answer: what was stored must be what was sent; taking what the case expects
    /// refused is a lenient reading (non-strict) only when it stored exactly that.</summary>
    private static Judgement Accepted(Expectation expect, UploadOutcome outcome, SentUpload sent, Evidence evidence)
    {
        var (filenameRule, contentType) = expect switch
        {
            Expectation.Stored s => (s.Filename, s.CheckContentType),
            Expectation.StoredOrRefused s => (s.Filename, s.CheckContentType),
            _ => (FilenameRule.ExactOrDecoded, true),
        };
        if (evidence.Stored is not { } checks) return Need(new EvidenceNeed.Stored(sent, filenameRule, contentType));
        var differs = checks.FirstOrDefault(c => c.Differs);
        switch (expect)
        {
            case Expectation.Observed observed:
                // What is observed is how the server read the request; the bytes themselves must still be right.
                var wrongBytes = checks.FirstOrDefault(c => c.Differs && IsByteCheck(c.Name));
                return wrongBytes is null
                    ? new Grade(Verdict.Informational, null,
                        $"{observed.What}: {outcome.StatusCode}, stored as "
                        + (checks.FirstOrDefault(c => c.Name.EndsWith(".filename", StringComparison.Ordinal))?.Actual
                           ?? Excerpt(outcome.Data, 120)),
                        checks)
                    : new Grade(Verdict.Fail, Severity.Hard, wrongBytes.ToString(), checks);
            case Expectation.StoredOrRefused { Lawful: { } lawful } when differs is not null:
                if (evidence.Lawful is not { } other)
                    return Need(new EvidenceNeed.Stored(SentUpload.Of(lawful.Files), filenameRule, contentType,
                        Lawful: true));
                return other.All(c => !c.Differs)
                    ? new Grade(Verdict.Informational, null, $"a lawful reading: {lawful.Reading}", other)
                    : Grade.From(checks, Severity.Hard);
            case Expectation.OverLimit over:
                return new Grade(Verdict.Fail, Severity.Hard, $"accepted {over.What}, over its declared {over.Limit}"
                    + (differs is null ? "" : $"; and stored something else: {differs}"), checks);
            case Expectation.Refused refused:
                if (refused.Accepting == OnAccept.Fail || differs is not null)
                    return new Grade(Verdict.Fail, Severity.Hard, $"accepted what it should refuse ({refused.Why})"
                        + (differs is null ? "" : $" and stored something else: {differs}"), checks);
                return new Grade(Verdict.NonStrict, null, sent.Verifiable
                    ? $"a lenient reading: accepted {refused.Why} and stored exactly what was sent"
                    : $"accepted {refused.Why}; what it stored could not be checked", checks);
            default:
                return Grade.From(checks, Severity.Hard);
        }
    }

    /// <summary>A refusal, for a case where refusing is right: the preferred status as JSON passes;
    /// another status, a business error or a non-JSON body is non-strict; data kept despite it fails.</summary>
    private static Judgement Refusal(UploadOutcome outcome, IReadOnlyList<int> preferred, string? businessError,
        Evidence evidence, StorageKind storage = StorageKind.None)
    {
        var status = outcome.StatusCode ?? 0;
        var statusCheck =
            new Check("status", preferred.Contains(status) && businessError is null, string.Join("|", preferred),
            businessError is null ? status.ToString() : $"{status} ({businessError})");
        // An object store's refusal is its own XML (or Qiniu's JSON) error, which its SDKs read: that is right.
        var storeError = storage != StorageKind.None ? ObjectStorage.Refusal(outcome.Data) : null;
        var json = storeError is { } e
            ? new Check("store error", true, $"the {ObjectStorage.Name(storage)} error body", e.Code)
            : new Check("error is JSON", LooksLikeJson(outcome), "a JSON error body",
                $"{outcome.ResponseContentType ?? "no content type"}: {Excerpt(outcome.Data, 60)}");
        var grade = businessError is not null
            ? new Grade(Verdict.NonStrict, null, $"refused with a {businessError}", [statusCheck, json])
            : !statusCheck.Ok ? new Grade(Verdict.NonStrict, null,
                $"refused with {status} where {string.Join(" or ", preferred)} is right: {Excerpt(outcome.Data, 80)}",
                [statusCheck, json])
            : !json.Ok
                ? new Grade(Verdict.NonStrict, null,
                $"refused with {status}, but as {outcome.ResponseContentType ?? "an untyped body"}, not JSON",
                [statusCheck, json])
            : Grade.Pass(statusCheck, json);
        return Kept(grade, evidence);
    }

    /// <summary>A refusal that kept data anyway is a fail whatever it said.</summary>
    private static Judgement Kept(Grade grade, Evidence evidence)
    {
        if (evidence.Cleanup is not { } kept) return Need(new EvidenceNeed.Cleanup(RequireDiscard: false));
        return kept.FirstOrDefault(c => !c.Ok) is { } leak
            ? new Grade(Verdict.Fail, Severity.Hard, $"refused, but kept data: {leak}", [.. grade.Checks, .. kept])
            : grade with { Checks = [.. grade.Checks, .. kept] };
    }

    private static Judgement Need(EvidenceNeed need) => new(null, need);

    /// <summary>The case's extra checks: each one that does not hold lowers the verdict it may lower.</summary>
    public Grade ApplyExtras(IReadOnlyList<ExtraCheck> extras, UploadOutcome outcome, Grade grade)
    {
        foreach (var extra in extras)
        {
            var check = extra.Evaluate(new ExtraCheckContext(outcome, Profile));
            grade = grade with { Checks = [.. grade.Checks, check] };
            if (check.Ok || !extra.Lowers(grade.Verdict)) continue;
            var reason = extra.Reason(check);
            grade = grade with
            {
                Verdict = extra.IfNot,
                Severity = extra.IfNot == Verdict.Fail ? Severity.Hard : null,
                Reason = grade.Reason.Length > 0 ? $"{reason}; {grade.Reason}" : reason,
            };
        }
        return grade;
    }

    /// <summary>Several uploads in one case: as bad as its worst, each one's checks under its label; with
    /// <paramref name="noteSameUrl"/>, a pass says whether the answers name one stored file.</summary>
    public Grade Several(IReadOnlyList<(string Label, UploadOutcome Outcome, Grade Grade)> uploads,
        bool noteSameUrl)
    {
        var checks = uploads.SelectMany(u => u.Grade.Checks.Select(c => c with { Name = $"{u.Label}.{c.Name}" }))
            .ToList();
        if (Grade.Worst(uploads.Select(u => (u.Label, u.Grade))) is var (label, worst))
            return new Grade(worst.Verdict, worst.Severity, $"{label}: {worst.Reason}", checks);
        var reason = "";
        if (noteSameUrl)
        {
            var urls = uploads.Select(u => EchoReader.FirstFile(Profile.Echo, u.Outcome.Data, e => e.Url)).ToList();
            reason = urls.Distinct().Count() == 1 ? $"deduplicated: both answers name {urls[0]}"
                : "stored twice, under different ids";
        }
        return new Grade(Verdict.Pass, null, reason, checks);
    }

    /// <summary>A case after which the server stopped answering fails, whatever it was graded.</summary>
    public CaseResult Died(CaseResult result, CrashRecord crash, TimeSpan recovery)
    {
        var what = crash.Recovered ? $"back after {crash.DownMs / 1000:0.0} s"
            : $"not back within {recovery.TotalSeconds:0.#} s";
        return result with
        {
            Verdict = Verdict.Fail,
            Severity = Severity.Hard,
            Reason = $"the server died: {Profile.HealthUrl} stopped answering after this case ({what})"
            + (result.Reason.Length > 0 ? $"; {result.Reason}" : ""),
            Checks = [.. result.Checks,
            new Check("alive afterwards", false, $"{Profile.HealthUrl} answers", $"no answer or 5xx; {what}")],
            Crash = crash,
        };
    }

    public static CaseResult Result(UploadCase @case, Expectation effective, Grade grade, RequestSummary request,
        OutcomeSummary outcome) => new()
    {
        Id = @case.Id,
        Suite = @case.Suite,
        Description = @case.Description,
        Expectation = @case.ExpectationText(effective),
        Verdict = grade.Verdict,
        Severity = grade.Severity,
        Reason = grade.Reason,
        Request = request,
        Outcome = outcome,
        Checks = grade.Checks,
    };

    /// <summary>Which profile keys to set when a refusal of an ordinary upload was the endpoint's own limit.</summary>
    private string RefusalHint(SentUpload sent, int status)
    {
        var limits = Profile.Limits;
        var keys = new List<string>();
        if (sent.Files.Count > 1
            && limits.MaxFiles is null) keys.Add("if the endpoint takes fewer files, declare limits.maxFiles");
        if (status == 413)
        {
            if (limits.MaxFileBytes is null && sent.Files.Any(f => f.File.Payload.Length > 1 << 20))
                keys.Add("if it has a file size limit, declare limits.maxFileBytes");
            else if (limits.MaxFieldBytes is null && sent.Fields.Any(f => f.Value.Length > 64 << 10))
                keys.Add("if it has a field size limit, declare limits.maxFieldBytes");
            else if (limits.MaxParts is null && sent.Fields.Count
                + sent.Files.Count > 100) keys.Add("if it limits parts, declare limits.maxParts");
            else if (limits.MaxRequestBytes is null
                && sent.BodyBytes > 1 << 20) keys.Add(
                "if something in front limits bodies, declare limits.maxRequestBytes");
        }
        return keys.Count == 0 ? "" : $" ({string.Join("; ", keys)})";
    }

    private static bool IsByteCheck(string name) =>
        name == "files" || name.EndsWith(".size", StringComparison.Ordinal)
        || name.EndsWith(".sha256", StringComparison.Ordinal)
        || name.EndsWith(".fetched", StringComparison.Ordinal);

    private static bool LooksLikeJson(UploadOutcome outcome)
    {
        try
        {
            using var _ = JsonDocument.Parse(outcome.Data ?? "");
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Excerpt(string? text, int max) => UntrustedText.Excerpt(text, max);
}
