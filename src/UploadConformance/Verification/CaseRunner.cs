using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using UploadConformance.Requests;
using UploadConformance.Targets;
using UploadConformance.Wire;

namespace UploadConformance.Verification;

/// <summary>What a request carried, for comparing with what the server says it stored.</summary>
public sealed record SentUpload(IReadOnlyList<(string Field, UploadFile File)> Files, IReadOnlyList<FormField> Fields,
    NameEscaping Escaping,
    FormDataEncoding? Encoding = null, long BodyBytes = 0)
{
    public static SentUpload Of(RequestPlan plan) =>
        new(plan.Request.Files().ToList(), plan.Fields, plan.Wire.NameEscaping, plan.Encoding, plan.BuildBody().Length);

    public static readonly SentUpload Nothing = new([], [], NameEscaping.Whatwg);

    public bool Verifiable => Files.Count > 0;
}

/// <summary>A server that stopped answering after a case: how long it stayed down, and whether it came back.</summary>
public sealed record CrashRecord(double DownMs, bool Recovered);

/// <summary>Sends one case and grades what came back by the catalog's one rule (suites/README.md),
/// against the case's expectation with the profile's declared limits applied: the answer, the stored
/// bytes fetched back, the echoed fields, whether the server kept anything it should not have, the
/// case's extra checks, and afterwards whether the server is still alive.</summary>
public sealed class CaseRunner(Uploader uploader, HttpClient http, TargetProfile profile)
{
    /// <summary>How long a server may take to notice a vanished client and clean up.</summary>
    public static readonly TimeSpan CleanupBound = TimeSpan.FromSeconds(10);

    public Uploader Uploader { get; } = uploader;
    public HttpClient Http { get; } = http;
    public TargetProfile Profile { get; } = profile;
    public TargetProbe Probe { get; } = new(http, profile, uploader.Tls);
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
        if (@case.Request is CaseRequest.Compound compound)
        {
            result = await compound.Run(this, @case, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var before = await Probe.StatsAsync(cancellationToken).ConfigureAwait(false);
            var (outcome, summary, sent) =
                await SendAsync(@case.Request, progress, cancellationToken).ConfigureAwait(false);
            var expect = Effective(@case.Expect, sent);
            var grade =
                await GradeAsync(expect, @case.Form, outcome, sent, before, cancellationToken).ConfigureAwait(false);
            grade = ApplyExtras(@case.Extra, outcome, grade);
            result = Result(@case, expect, grade, summary, OutcomeSummary.Of(outcome));
        }
        result = await AliveAfterAsync(result, cancellationToken).ConfigureAwait(false);
        return result with { DurationMs = Math.Round(clock.Elapsed.TotalMilliseconds, 2) };
    }

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
        CaseRequest.Raw r => @case.ExpectationText(Effective(profile, @case.Expect, r.Files is null
            ? SentUpload.Nothing with { BodyBytes = r.Request.Body.Length }
            : new SentUpload(r.Files.Files, r.Files.Fields, NameEscaping.Whatwg, null, r.Request.Body.Length))),
        _ => @case.ExpectationText(@case.Expect),
    };

    /// <summary>After every case: is the server still there? One that died fails the case that killed
    /// it, and the run waits up to <see cref="Recovery"/> for it to come back.</summary>
    private async Task<CaseResult> AliveAfterAsync(CaseResult result, CancellationToken cancellationToken)
    {
        if (await Probe.IsHealthyAsync(cancellationToken).ConfigureAwait(false)) return result;
        var down = Stopwatch.StartNew();
        var recovered = Recovery > TimeSpan.Zero
            && await Probe.WaitHealthyAsync(Recovery, cancellationToken).ConfigureAwait(false);
        var downMs = Math.Round(down.Elapsed.TotalMilliseconds);
        var what = recovered ? $"back after {downMs / 1000:0.0} s" : $"not back within {Recovery.TotalSeconds:0.#} s";
        return result with
        {
            Verdict = Verdict.Fail,
            Severity = Severity.Hard,
            Reason = $"the server died: {Profile.HealthUrl} stopped answering after this case ({what})"
            + (result.Reason.Length > 0 ? $"; {result.Reason}" : ""),
            Checks = [.. result.Checks,
            new Check("alive afterwards", false, $"{Profile.HealthUrl} answers", $"no answer or 5xx; {what}")],
            Crash = new CrashRecord(downMs, recovered),
        };
    }

    public async Task<(UploadOutcome, RequestSummary, SentUpload)> SendAsync(CaseRequest request,
        Action<long, long>? progress, CancellationToken cancellationToken)
    {
        switch (request)
        {
            case CaseRequest.Planned p:
                var plan = WithProfileHeaders(p.Plan);
                return (await Uploader.SendAsync(plan, progress, cancellationToken).ConfigureAwait(false),
                    RequestSummary.Of(plan), SentUpload.Of(plan));
            case CaseRequest.Raw r:
                var raw = r.Request with { Headers = [.. r.Request.Headers, .. Profile.Headers] };
                var outcome =
                    await RawHttpSender.SendAsync(Profile.Url, raw, RawBound, cancellationToken,
                    Uploader.Tls).ConfigureAwait(false);
                var sent = r.Files is null
                    ? SentUpload.Nothing with { BodyBytes = raw.Body.Length }
                    : new SentUpload(r.Files.Files, r.Files.Fields, NameEscaping.Whatwg, null, raw.Body.Length);
                return (outcome, RequestSummary.OfRaw(Profile.Url, r), sent);
            default:
                throw new ArgumentException("compound cases run their own exchange", nameof(request));
        }
    }

    public RequestPlan WithProfileHeaders(RequestPlan plan) => Profile.Headers.Count == 0
        ? plan
        : plan with { Request = plan.Request with { Header = [.. plan.Request.Header, .. Profile.Headers] } };

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

    /// <summary>The catalog's one grading rule, applied to one exchange (suites/README.md says it in words).</summary>
    public async Task<Grade> GradeAsync(Expectation expect, RequestForm form, UploadOutcome outcome, SentUpload sent,
        StatsSnapshot? before,
        CancellationToken cancellationToken)
    {
        if (expect is Expectation.AbortedClean or Expectation.TimedOutClean)
            return Grade.From(
                await VerifyDiscardedAsync(expect, outcome, before, cancellationToken).ConfigureAwait(false),
                Severity.Hard);

        // A hang: nothing came back within the bound.
        if (outcome.Failure == FailureKind.Timeout)
            return Grade.Fail(Severity.Hard, $"no answer: {outcome.Error}",
                new Check("answered", false, "an answer", outcome.Error));
        if (!outcome.Answered)
        {
            var closed = new Check("answered", false, "an HTTP answer", $"{outcome.ErrMsg} ({outcome.Error})");
            if (expect is Expectation.Refused { ClosingIsFine: true })
                return Kept(Grade.Pass(closed with { Name = "closed", Ok = true, Expected = "an answer or a close" }),
                    await NothingKeptAsync(before, requireDiscard: false, cancellationToken).ConfigureAwait(false));
            // A request a correct client may send deserves an answer; closing on a malformed or oversized one is safe.
            if (form == RequestForm.WellFormed && expect is not Expectation.OverLimit)
                return Grade.Fail(Severity.Hard,
                    $"no answer to a well-formed request: {outcome.ErrMsg} ({outcome.Error})", closed);
            return Kept(new Grade(Verdict.NonStrict, null, "closed the connection without an answer", [closed]),
                await NothingKeptAsync(before, requireDiscard: false, cancellationToken).ConfigureAwait(false));
        }
        if (AnswerForensics.StackTrace(outcome.Data) is { } trace)
            return Grade.Fail(Severity.Hard, $"the answer leaks a stack trace ({trace})",
                new Check("no stack trace", false, "an answer without the server's insides", trace));
        var ordinary = expect is Expectation.Stored { Ordinary: true };
        if (outcome.StatusCode >= 500)
            return ordinary
                ? Kept(Grade.Fail(Severity.Hard, $"{RefusedOrdinary} with {outcome.StatusCode}"
                    + $"{RefusalHint(sent, outcome.StatusCode.Value)}: {Excerpt(outcome.Data, 100)}",
                    new Check("status", false, string.Join("|", Profile.Success.Status),
                    outcome.StatusCode.ToString())),
                    await NothingKeptAsync(before, requireDiscard: false, cancellationToken).ConfigureAwait(false))
                : Grade.Fail(Severity.Soft, $"answered {outcome.StatusCode}: {Excerpt(outcome.Data, 100)}",
                    new Check("status", false, "2xx or a 4xx refusal", outcome.StatusCode.ToString()));

        var reading = Profile.Success.Read(outcome);
        if (reading.Kind == AnswerKind.Success) return await AcceptedAsync(expect, outcome, sent,
            cancellationToken).ConfigureAwait(false);
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
                    [new Check("status", false, string.Join("|", Profile.Success.Status),
                    $"{status}{(businessError is null ? "" : " + " + businessError)}")]),
                await NothingKeptAsync(before, requireDiscard: false, cancellationToken).ConfigureAwait(false)),
            Expectation.StoredOrRefused either =>
            await RefusalAsync(outcome, either.Preferred, businessError, before,
            cancellationToken).ConfigureAwait(false),
            Expectation.Refused refused =>
            await RefusalAsync(outcome, refused.Preferred, businessError, before,
            cancellationToken).ConfigureAwait(false),
            Expectation.OverLimit over =>
            await RefusalAsync(outcome, over.Preferred, businessError, before, cancellationToken).ConfigureAwait(false),
            Expectation.Observed observed =>
            new Grade(Verdict.Informational, null, $"{observed.What}: {status} {Excerpt(outcome.Data, 160)}",
                [new Check("status", true, null, status.ToString())]),
            _ => throw new ArgumentOutOfRangeException(nameof(expect), expect, null),
        };
    }

    /// <summary>A success answer: what was stored must be what was sent; taking what the case expects
    /// refused is a lenient reading (non-strict) only when it stored exactly that.</summary>
    private async Task<Grade> AcceptedAsync(Expectation expect, UploadOutcome outcome, SentUpload sent,
        CancellationToken cancellationToken)
    {
        var (filenameRule, contentType) = expect switch
        {
            Expectation.Stored s => (s.Filename, s.CheckContentType),
            Expectation.StoredOrRefused s => (s.Filename, s.CheckContentType),
            _ => (FilenameRule.ExactOrDecoded, true),
        };
        var checks =
            await VerifyStoredAsync(sent, outcome, filenameRule, cancellationToken, contentType).ConfigureAwait(false);
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
                var other =
                await VerifyStoredAsync(new SentUpload(lawful.Files.Files, lawful.Files.Fields, NameEscaping.Whatwg),
                outcome, filenameRule,
                    cancellationToken, contentType).ConfigureAwait(false);
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
    private async Task<Grade> RefusalAsync(UploadOutcome outcome, IReadOnlyList<int> preferred, string? businessError,
        StatsSnapshot? before,
        CancellationToken cancellationToken)
    {
        var status = outcome.StatusCode ?? 0;
        var statusCheck =
            new Check("status", preferred.Contains(status) && businessError is null, string.Join("|", preferred),
            businessError is null ? status.ToString() : $"{status} ({businessError})");
        var json = new Check("error is JSON", LooksLikeJson(outcome), "a JSON error body",
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
        return Kept(grade,
            await NothingKeptAsync(before, requireDiscard: false, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>A refusal that kept data anyway is a fail whatever it said.</summary>
    private static Grade Kept(Grade grade, IReadOnlyList<Check> kept) =>
        kept.FirstOrDefault(c => !c.Ok) is { } leak
            ? new Grade(Verdict.Fail, Severity.Hard, $"refused, but kept data: {leak}", [.. grade.Checks, .. kept])
            : grade with { Checks = [.. grade.Checks, .. kept] };

    /// <summary>The reason of a fail for refusing an upload a real client sends, within every declared limit.</summary>
    public const string RefusedOrdinary = "the endpoint refused an ordinary upload within its declared limits";

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

    public Task<IReadOnlyList<Check>> VerifyStoredAsync(RequestPlan plan, UploadOutcome outcome,
        CancellationToken cancellationToken) =>
        VerifyStoredAsync(SentUpload.Of(plan), outcome, FilenameRule.Exact, cancellationToken);

    /// <summary>Everything the answer and the server let us compare with what was sent: the success
    /// rule's conditions, each file's echo (size, sha256, field, filename, type), its bytes fetched
    /// back, and the fields.</summary>
    public async Task<IReadOnlyList<Check>> VerifyStoredAsync(SentUpload sent, UploadOutcome outcome,
        FilenameRule filenameRule,
        CancellationToken cancellationToken, bool checkContentType = true)
    {
        var checks = new List<Check>
        {
            new("status", outcome.StatusCode is { } s && Profile.Success.Status.Contains(s),
                string.Join("|", Profile.Success.Status), outcome.StatusCode?.ToString()),
        };
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(outcome.Data ?? "");
        }
        catch (JsonException)
        {
            checks.Add(Check.Skipped("echo", $"the answer is not JSON: {Excerpt(outcome.Data, 80)}"));
            return checks;
        }
        using (document)
        {
            var root = document.RootElement;
            foreach (var condition in Profile.Success.Json)
                checks.Add(
                    new Check(condition.Path, condition.Holds(root), condition.ToString(), condition.Describe(root)));
            var echoed = EchoReader.Files(Profile.Echo, root);
            if (echoed is null)
            {
                checks.Add(Check.Skipped("files", "the answer echoes nothing about the stored file"));
                if (Profile.Fetch is not null)
                    for (var i = 0; i < sent.Files.Count; i++)
                        checks.Add(await FetchBackAsync(sent, i, null, root, cancellationToken).ConfigureAwait(false));
            }
            else
            {
                checks.Add(
                    new Check("files", echoed.Count == sent.Files.Count, sent.Files.Count.ToString(),
                    echoed.Count.ToString()));
                for (var i = 0; i < Math.Min(sent.Files.Count, echoed.Count); i++)
                    checks.AddRange(
                        await CompareFileAsync(sent, i, echoed[i], root, filenameRule, checkContentType,
                        cancellationToken).ConfigureAwait(false));
            }
            checks.Add(CompareFields(sent, root));
        }
        return checks;
    }

    private static string FilePrefix(SentUpload sent, int index) => sent.Files.Count == 1 ? "file" : $"file[{index}]";

    private async Task<IEnumerable<Check>> CompareFileAsync(SentUpload sent, int index, JsonElement echoed,
        JsonElement root, FilenameRule rule,
        bool checkContentType, CancellationToken cancellationToken)
    {
        var (field, file) = sent.Files[index];
        var prefix = FilePrefix(sent, index);
        var echo = Profile.Echo;
        var wireName = MultipartBody.Escape(file.FileName, sent.Escaping);
        var acceptable = rule switch
        {
            FilenameRule.ExactOrBasename => new[] { wireName, file.FileName.Split('/', '\\')[^1] },
            FilenameRule.ExactOrDecoded => [wireName, file.FileName],
            _ => [wireName],
        };
        return
        [
            Echoed($"{prefix}.size", echo.Size, echoed, [file.Payload.Length.ToString()]),
            Echoed($"{prefix}.sha256", echo.Sha256, echoed, [file.Payload.Sha256]),
            Echoed($"{prefix}.field", echo.Field, echoed, [MultipartBody.Escape(field, sent.Escaping)]),
            Echoed($"{prefix}.filename", echo.Filename, echoed, acceptable),
            checkContentType && file.ContentType.Length > 0
                ? Echoed($"{prefix}.contentType", echo.ContentType, echoed, [file.ContentType])
                : Check.Skipped($"{prefix}.contentType", "the part carried no Content-Type, so any default is right"),
            await FetchBackAsync(sent, index, echoed, root, cancellationToken).ConfigureAwait(false),
        ];
    }

    private static Check Echoed(string name, string? path, JsonElement element, IReadOnlyList<string> acceptable)
    {
        if (path is null) return Check.Skipped(name, "the profile names no echo path for it");
        var actual = JsonPath.Text(element, path);
        if (actual is null) return Check.Skipped(name, $"the answer has no {path}");
        return new Check(name, acceptable.Contains(actual), string.Join(" or ", acceptable), actual);
    }

    private Check CompareFields(SentUpload sent, JsonElement root)
    {
        if (Profile.Echo.Fields is not { } path
            || JsonPath.Select(root, path) is not { ValueKind: JsonValueKind.Array or JsonValueKind.Object } fields)
            return Check.Skipped("fields", "the answer echoes no fields");
        var expected = sent.Fields.Select(f => (MultipartBody.Escape(f.Name, sent.Escaping), f.Value)).ToList();
        return FieldsEcho.Compare(expected, fields, dotsDecode: sent.Encoding == FormDataEncoding.Dots);
    }

    /// <summary>GETs the stored file back, from the profile's fetch template or the echoed URL, and
    /// compares its bytes with what was sent.</summary>
    private async Task<Check> FetchBackAsync(SentUpload sent, int index, JsonElement? entry, JsonElement root,
        CancellationToken cancellationToken)
    {
        var name = $"{FilePrefix(sent, index)}.fetched";
        if (!Profile.FetchBack) return Check.Skipped(name, "the profile turns fetch-back off");
        var file = sent.Files[index].File;
        string? url;
        if (Profile.Fetch is { } template)
        {
            url = FetchTemplate.Resolve(template, entry, root, file.Payload.Sha256, file.Payload.Length, file.FileName,
                out var missing);
            if (url is null) return new Check(name, false, $"a value for {{{missing}}} in the answer", "none");
        }
        else
        {
            url = entry is { } e && Profile.Echo.Url is { } u ? JsonPath.Text(e, u) : null;
        }
        if (string.IsNullOrEmpty(url) || !Uri.TryCreate(Profile.Url, url, out var uri))
            return Check.Skipped(name,
                "the answer gives no url to fetch the file back from (a profile's fetch template can say where)");
        try
        {
            using var response =
                await Http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead,
                cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                return new Check(name, false, "200 with the stored bytes", $"{(int)response.StatusCode} from {uri}");
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var fetched =
                Convert.ToHexStringLower(await SHA256.HashDataAsync(body, cancellationToken).ConfigureAwait(false));
            return new Check(name, fetched == file.Payload.Sha256, file.Payload.Sha256, fetched);
        }
        catch (HttpRequestException e)
        {
            return new Check(name, false, "the stored bytes", e.Message.ReplaceLineEndings(" "));
        }
    }

    private async Task<IReadOnlyList<Check>> VerifyDiscardedAsync(Expectation expect, UploadOutcome outcome,
        StatsSnapshot? before,
        CancellationToken cancellationToken)
    {
        var wanted = expect is Expectation.AbortedClean ? "uploadFile:fail abort" : "uploadFile:fail timeout";
        var checks = new List<Check>
        {
            new("errMsg", outcome.ErrMsg == wanted, wanted, outcome.ErrMsg),
            new("mid-stream", outcome.BytesSent > 0 && outcome.BytesSent < outcome.BytesExpected,
                $"between 0 and {outcome.BytesExpected} bytes sent", $"{outcome.BytesSent}"),
        };
        checks.AddRange(await NothingKeptAsync(before, requireDiscard: true, cancellationToken).ConfigureAwait(false));
        return checks;
    }

    /// <summary>From /stats, against the snapshot taken before the case: once the server has settled,
    /// no more uploads in flight, no new partial file on disk and nothing new stored; with
    /// <paramref name="requireDiscard"/>, it counted a discard.</summary>
    private async Task<IReadOnlyList<Check>> NothingKeptAsync(StatsSnapshot? before, bool requireDiscard,
        CancellationToken cancellationToken)
    {
        if (before is null) return [Check.Skipped("nothing kept", "the target publishes no /stats")];
        var deadline = Stopwatch.StartNew();
        var after = before;
        var grace = TimeSpan.Zero;
        while (deadline.Elapsed < CleanupBound)
        {
            after = await Probe.StatsAsync(cancellationToken).ConfigureAwait(false) ?? before;
            // Settled is "done with the request", not "clean": a leaking server settles too, and is then judged.
            var settled = after.UploadsInFlight <= before.UploadsInFlight;
            if (settled && (!requireDiscard || after.PartialUploadsDiscarded > before.PartialUploadsDiscarded)) break;
            // A settled server that counted no discard may never have seen the upload (a buffering proxy in
            // front): give it a moment, not the whole bound.
            if (settled && (grace = grace == TimeSpan.Zero ? deadline.Elapsed : grace)
                + TimeSpan.FromSeconds(1) < deadline.Elapsed) break;
            // Polling a counter the server updates when it notices the disconnect; there is no event to wait on.
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
        var checks = new List<Check>();
        if (requireDiscard)
            checks.Add(after.PartialUploadsDiscarded > before.PartialUploadsDiscarded
                ? new Check("partial upload discarded", true,
                    $"partialUploadsDiscarded > {before.PartialUploadsDiscarded}",
                    after.PartialUploadsDiscarded.ToString())
                : Check.Skipped("partial upload discarded",
                    "the server counted no discard: the partial upload may never have reached it "
                    + "(a buffering proxy in front); the checks below still hold it to keeping nothing"));
        checks.Add(new Check("no upload left in flight", after.UploadsInFlight <= before.UploadsInFlight,
            $"≤ {before.UploadsInFlight}", after.UploadsInFlight.ToString()));
        checks.Add(new Check("no partial file left on disk", after.PartialFilesOnDisk <= before.PartialFilesOnDisk,
            $"≤ {before.PartialFilesOnDisk} (as before the case)", after.PartialFilesOnDisk.ToString()));
        checks.Add(
            new Check("nothing stored", after.FilesStored == before.FilesStored, before.FilesStored.ToString(),
            after.FilesStored.ToString()));
        return checks;
    }

    public static string Excerpt(string? text, int max) =>
        text is null ? "nothing" : (text.Length > max ? text[..max] + "…" : text).ReplaceLineEndings(" ");
}

/// <summary>What an extra check looks at: the outcome, and the profile that says where the answer echoes
/// what.</summary>
public sealed record ExtraCheckContext(UploadOutcome Outcome, TargetProfile Profile);

/// <summary>A verdict with its reason and evidence.</summary>
public sealed record Grade(Verdict Verdict, Severity? Severity, string Reason, IReadOnlyList<Check> Checks)
{
    public static Grade Fail(Severity severity, string reason, params Check[] checks) =>
        new(Verdict.Fail, severity, reason, checks);

    public static Grade Pass(params Check[] checks) => new(Verdict.Pass, null, "", checks);

    /// <summary>Pass when every check holds, else a failure named after the first that lost data, else
    /// non-strict when only harmless differences remain (see <see cref="Check.Harmless"/>).</summary>
    public static Grade From(IReadOnlyList<Check> checks, Severity severity) =>
        checks.FirstOrDefault(c => c.Differs) is { } failed
            ? new Grade(Verdict.Fail, severity, failed.ToString(), checks)
            : checks.FirstOrDefault(c => !c.Ok) is { } renamed
            ? new Grade(Verdict.NonStrict, null, $"stored everything, renamed: {renamed.Actual}", checks)
            : new Grade(Verdict.Pass, null, "", checks);
}
