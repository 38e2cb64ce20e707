using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using UploadConformance.Requests;
using UploadConformance.Targets;
using UploadConformance.Wire;

namespace UploadConformance.Verification;

/// <summary>What a request carried, for comparing with what the server says it stored.</summary>
public sealed record SentUpload(IReadOnlyList<(string Field, UploadFile File)> Files, IReadOnlyList<FormField> Fields, NameEscaping Escaping)
{
    public static SentUpload Of(RequestPlan plan) => new(plan.Request.Files().ToList(), plan.Fields, plan.Wire.NameEscaping);
    public static readonly SentUpload Nothing = new([], [], NameEscaping.Whatwg);
}

/// <summary>Sends one case and grades what came back against its expectation and the target's
/// profile: the answer, the stored bytes fetched back, whether the server kept anything it should
/// not have, and, after a case that can hurt it, whether it still answers.</summary>
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

    public async Task<CaseResult> RunAsync(UploadCase @case, CancellationToken cancellationToken, Action<long, long>? progress = null)
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
            var (outcome, summary, sent) = await SendAsync(@case.Request, progress, cancellationToken).ConfigureAwait(false);
            var grade = await GradeAsync(@case.Expect, outcome, sent, before, cancellationToken).ConfigureAwait(false);
            result = Result(@case, grade, summary, OutcomeSummary.Of(outcome));
        }
        if (@case.CanHurt && !await Probe.IsHealthyAsync(cancellationToken).ConfigureAwait(false))
        {
            result = result with
            {
                Verdict = Verdict.Fail,
                Severity = Severity.Hard,
                Reason = "the server stopped answering after this case" + (result.Reason.Length > 0 ? $"; {result.Reason}" : ""),
                Checks = [.. result.Checks, new Check("healthy afterwards", false, $"{Profile.HealthUrl} answers", "no answer or 5xx")],
            };
        }
        return result with { DurationMs = Math.Round(clock.Elapsed.TotalMilliseconds, 2) };
    }

    public async Task<(UploadOutcome, RequestSummary, SentUpload)> SendAsync(CaseRequest request, Action<long, long>? progress, CancellationToken cancellationToken)
    {
        switch (request)
        {
            case CaseRequest.Planned p:
                var plan = WithProfileHeaders(p.Plan);
                return (await Uploader.SendAsync(plan, progress, cancellationToken).ConfigureAwait(false), RequestSummary.Of(plan), SentUpload.Of(plan));
            case CaseRequest.Raw r:
                var raw = r.Request with { Headers = [.. r.Request.Headers, .. Profile.Headers] };
                var outcome = await RawHttpSender.SendAsync(Profile.Url, raw, RawBound, cancellationToken, Uploader.Tls).ConfigureAwait(false);
                var sent = r.Files is null ? SentUpload.Nothing : new SentUpload(r.Files.Files, r.Files.Fields, NameEscaping.Whatwg);
                return (outcome, RequestSummary.OfRaw(Profile.Url, r), sent);
            default:
                throw new ArgumentException("compound cases run their own exchange", nameof(request));
        }
    }

    public RequestPlan WithProfileHeaders(RequestPlan plan) => Profile.Headers.Count == 0
        ? plan
        : plan with { Request = plan.Request with { Header = [.. plan.Request.Header, .. Profile.Headers] } };

    public static CaseResult Result(UploadCase @case, Grade grade, RequestSummary request, OutcomeSummary outcome) => new()
    {
        Id = @case.Id,
        Suite = @case.Suite,
        Description = @case.Description,
        Verdict = grade.Verdict,
        Severity = grade.Severity,
        Reason = grade.Reason,
        Request = request,
        Outcome = outcome,
        Checks = grade.Checks,
    };

    public async Task<Grade> GradeAsync(Expectation expect, UploadOutcome outcome, SentUpload sent, StatsSnapshot? before, CancellationToken cancellationToken)
    {
        if (expect is Expectation.AbortedClean or Expectation.TimedOutClean)
            return Grade.From(await VerifyDiscardedAsync(expect, outcome, before, cancellationToken).ConfigureAwait(false), Severity.Hard);

        if (outcome.Failure == FailureKind.Timeout)
            return Grade.Fail(Severity.Hard, $"no answer: {outcome.Error}", new Check("answered", false, "an answer", outcome.Error));
        if (!outcome.Answered && expect is Expectation.Refused { ClosingIsFine: true })
        {
            var checks = new List<Check> { new("closed", true, "an answer or a close", $"{outcome.ErrMsg} ({outcome.Error})") };
            checks.AddRange(await NothingKeptAsync(before, requireDiscard: false, cancellationToken).ConfigureAwait(false));
            return Grade.From(checks, Severity.Hard);
        }
        if (!outcome.Answered)
        {
            var check = new Check("answered", false, "an HTTP answer", $"{outcome.ErrMsg} ({outcome.Error})");
            return expect is Expectation.Refused or Expectation.StoredOrRefused
                ? new Grade(Verdict.NonStrict, null, "closed the connection without an answer", [check])
                : Grade.Fail(Severity.Hard, $"no answer: {outcome.ErrMsg} ({outcome.Error})", check);
        }
        if (outcome.StatusCode >= 500)
            return Grade.Fail(Severity.Soft, $"answered {outcome.StatusCode}: {Excerpt(outcome.Data, 100)}", new Check("status", false, "2xx or a 4xx refusal", outcome.StatusCode.ToString()));

        var success = Success(outcome, out var businessError);
        switch (expect)
        {
            case Expectation.Stored stored:
                if (!success)
                    return Grade.Fail(Severity.Hard, businessError ?? $"refused with {outcome.StatusCode}: {Excerpt(outcome.Data, 100)}",
                        new Check("status", false, string.Join("|", Profile.Success.Status), $"{outcome.StatusCode}{(businessError is null ? "" : " + " + businessError)}"));
                return Grade.From(await VerifyStoredAsync(sent, outcome, stored.Filename, cancellationToken, stored.CheckContentType).ConfigureAwait(false), Severity.Hard);

            case Expectation.StoredOrRefused either:
                return success
                    ? Grade.From(await VerifyStoredAsync(sent, outcome, either.Filename, cancellationToken, either.CheckContentType).ConfigureAwait(false), Severity.Hard)
                    : await GradeRefusalAsync(outcome, either.Preferred, businessError, before, cancellationToken).ConfigureAwait(false);

            case Expectation.Refused refused:
                if (success)
                {
                    var reason = $"accepted what it should refuse ({refused.Why})";
                    return refused.AcceptingIsNonStrict
                        ? new Grade(Verdict.NonStrict, null, reason, [new Check("refused", false, string.Join("|", refused.Preferred), outcome.StatusCode.ToString())])
                        : Grade.Fail(Severity.Hard, reason, new Check("refused", false, string.Join("|", refused.Preferred), outcome.StatusCode.ToString()));
                }
                return await GradeRefusalAsync(outcome, refused.Preferred, businessError, before, cancellationToken).ConfigureAwait(false);

            case Expectation.Observed observed:
                return new Grade(Verdict.Informational, null, $"{observed.What}: {outcome.StatusCode} {Excerpt(outcome.Data, 160)}", [new Check("status", true, null, outcome.StatusCode.ToString())]);

            default:
                throw new ArgumentOutOfRangeException(nameof(expect), expect, null);
        }
    }

    /// <summary>Success per the profile's rule (see <see cref="SuccessRule.Holds"/>).</summary>
    public bool Success(UploadOutcome outcome, out string? businessError) => Profile.Success.Holds(outcome, out businessError);

    private async Task<Grade> GradeRefusalAsync(UploadOutcome outcome, IReadOnlyList<int> preferred, string? businessError, StatsSnapshot? before, CancellationToken cancellationToken)
    {
        var status = outcome.StatusCode ?? 0;
        var checks = new List<Check>
        {
            new("status", preferred.Contains(status), string.Join("|", preferred), businessError is null ? status.ToString() : $"{status} ({businessError})"),
            new("error is JSON", LooksLikeJson(outcome), "a JSON error body", $"{outcome.ResponseContentType ?? "no content type"}: {Excerpt(outcome.Data, 60)}"),
        };
        checks.AddRange(await NothingKeptAsync(before, requireDiscard: false, cancellationToken).ConfigureAwait(false));
        if (checks.Skip(2).FirstOrDefault(c => !c.Ok) is { } kept)
            return new Grade(Verdict.Fail, Severity.Hard, $"refused with {status} but kept data: {kept}", checks);
        if (businessError is not null)
            return new Grade(Verdict.NonStrict, null, $"refused with a {businessError}", checks);
        if (!checks[0].Ok)
            return new Grade(Verdict.NonStrict, null, $"refused with {status} where {string.Join(" or ", preferred)} is right: {Excerpt(outcome.Data, 80)}", checks);
        if (!checks[1].Ok)
            return new Grade(Verdict.NonStrict, null, $"refused with {status}, but as {outcome.ResponseContentType ?? "an untyped body"}, not JSON", checks);
        return new Grade(Verdict.Pass, null, "", checks);
    }

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

    public Task<IReadOnlyList<Check>> VerifyStoredAsync(RequestPlan plan, UploadOutcome outcome, CancellationToken cancellationToken) =>
        VerifyStoredAsync(SentUpload.Of(plan), outcome, FilenameRule.Exact, cancellationToken);

    public async Task<IReadOnlyList<Check>> VerifyStoredAsync(SentUpload sent, UploadOutcome outcome, FilenameRule filenameRule, CancellationToken cancellationToken, bool checkContentType = true)
    {
        var checks = new List<Check>();
        if (!outcome.Answered)
        {
            checks.Add(new Check("answered", false, "uploadFile:ok", $"{outcome.ErrMsg} ({outcome.Error})"));
            return checks;
        }
        checks.Add(new Check("status", outcome.StatusCode is { } s && Profile.Success.Status.Contains(s), string.Join("|", Profile.Success.Status), outcome.StatusCode?.ToString()));

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(outcome.Data ?? "");
        }
        catch (JsonException)
        {
            checks.Add(new Check("json", false, "a JSON answer", Excerpt(outcome.Data, 120)));
            return checks;
        }
        using (document)
        {
            var root = document.RootElement;
            foreach (var condition in Profile.Success.Json)
                checks.Add(new Check(condition.Path, condition.Holds(root), condition.ToString(), condition.Describe(root)));

            var echoed = EchoedFiles(root);
            if (echoed is null)
            {
                checks.Add(Check.Skipped("files", "the answer echoes nothing about the stored file"));
            }
            else
            {
                checks.Add(new Check("files", echoed.Count == sent.Files.Count, sent.Files.Count.ToString(), echoed.Count.ToString()));
                for (var i = 0; i < Math.Min(sent.Files.Count, echoed.Count); i++)
                    checks.AddRange(await CompareFileAsync(sent, i, echoed[i], filenameRule, checkContentType, cancellationToken).ConfigureAwait(false));
            }
            checks.Add(CompareFields(sent, root));
        }
        return checks;
    }

    private List<JsonElement>? EchoedFiles(JsonElement root)
    {
        if (Profile.Echo.Files is { } filesPath && JsonPath.Select(root, filesPath) is { ValueKind: JsonValueKind.Array } files)
            return files.EnumerateArray().ToList();
        if (Profile.Echo.File is { } filePath && JsonPath.Select(root, filePath) is { ValueKind: JsonValueKind.Object } file)
            return [file];
        return null;
    }

    private async Task<IEnumerable<Check>> CompareFileAsync(SentUpload sent, int index, JsonElement echoed, FilenameRule rule, bool checkContentType, CancellationToken cancellationToken)
    {
        var (field, file) = sent.Files[index];
        var prefix = sent.Files.Count == 1 ? "file" : $"file[{index}]";
        var echo = Profile.Echo;
        var wireName = MultipartBody.Escape(file.FileName, sent.Escaping);
        var acceptable = rule switch
        {
            FilenameRule.ExactOrBasename => new[] { wireName, file.FileName.Split('/', '\\')[^1] },
            FilenameRule.ExactOrDecoded => [wireName, file.FileName],
            _ => [wireName],
        };
        var checks = new List<Check>
        {
            Echoed($"{prefix}.size", echo.Size, echoed, [file.Payload.Length.ToString()]),
            Echoed($"{prefix}.sha256", echo.Sha256, echoed, [file.Payload.Sha256]),
            Echoed($"{prefix}.field", echo.Field, echoed, [MultipartBody.Escape(field, sent.Escaping)]),
            Echoed($"{prefix}.filename", echo.Filename, echoed, acceptable),
            checkContentType ? Echoed($"{prefix}.contentType", echo.ContentType, echoed, [file.ContentType]) : Check.Skipped($"{prefix}.contentType", "the part carried no Content-Type, so any default is right"),
        };
        var url = echo.Url is null ? null : JsonPath.Text(echoed, echo.Url);
        checks.Add(Profile.FetchBack
            ? await FetchBackAsync($"{prefix}.fetched", url, file.Payload.Sha256, cancellationToken).ConfigureAwait(false)
            : Check.Skipped($"{prefix}.fetched", "the profile turns fetch-back off"));
        return checks;
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
        if (Profile.Echo.Fields is not { } path || JsonPath.Select(root, path) is not { ValueKind: JsonValueKind.Array } fields)
            return Check.Skipped("fields", "the answer echoes no fields");
        var expected = sent.Fields.Select(f => (MultipartBody.Escape(f.Name, sent.Escaping), f.Value)).ToList();
        var actual = fields.EnumerateArray().Select(f => (JsonPath.Text(f, "$.name") ?? "", JsonPath.Text(f, "$.value") ?? "")).ToList();
        for (var i = 0; i < Math.Max(expected.Count, actual.Count); i++)
        {
            var want = i < expected.Count ? $"{expected[i].Item1}={expected[i].Value}" : "no more fields";
            var got = i < actual.Count ? $"{actual[i].Item1}={actual[i].Item2}" : "no more fields";
            if (want != got) return new Check($"fields[{i}]", false, Excerpt(want, 120), Excerpt(got, 120));
        }
        return new Check("fields", true, $"{expected.Count} fields", $"{actual.Count} fields");
    }

    private async Task<Check> FetchBackAsync(string name, string? url, string sha256, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(url) || !Uri.TryCreate(Profile.Url, url, out var uri))
            return Check.Skipped(name, "the answer gives no url to fetch the file back from");
        try
        {
            using var response = await Http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                return new Check(name, false, "200 with the stored bytes", $"{(int)response.StatusCode} from {uri}");
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var fetched = Convert.ToHexStringLower(await SHA256.HashDataAsync(body, cancellationToken).ConfigureAwait(false));
            return new Check(name, fetched == sha256, sha256, fetched);
        }
        catch (HttpRequestException e)
        {
            return new Check(name, false, "the stored bytes", e.Message.ReplaceLineEndings(" "));
        }
    }

    private async Task<IReadOnlyList<Check>> VerifyDiscardedAsync(Expectation expect, UploadOutcome outcome, StatsSnapshot? before, CancellationToken cancellationToken)
    {
        var wanted = expect is Expectation.AbortedClean ? "uploadFile:fail abort" : "uploadFile:fail timeout";
        var checks = new List<Check>
        {
            new("errMsg", outcome.ErrMsg == wanted, wanted, outcome.ErrMsg),
            new("mid-stream", outcome.BytesSent > 0 && outcome.BytesSent < outcome.BytesExpected,
                $"between 0 and {outcome.BytesExpected} bytes sent", $"{outcome.BytesSent}"),
            new("healthy afterwards", await Probe.IsHealthyAsync(cancellationToken).ConfigureAwait(false), $"{Profile.HealthUrl} answers", "no answer or 5xx"),
        };
        checks.AddRange(await NothingKeptAsync(before, requireDiscard: true, cancellationToken).ConfigureAwait(false));
        return checks;
    }

    /// <summary>From /stats, against the snapshot taken before the case: once the server has settled,
    /// no more uploads in flight, no new partial file on disk and nothing new stored; with
    /// <paramref name="requireDiscard"/>, it counted a discard.</summary>
    private async Task<IReadOnlyList<Check>> NothingKeptAsync(StatsSnapshot? before, bool requireDiscard, CancellationToken cancellationToken)
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
            // A settled server that counted no discard may never have seen the upload (a buffering proxy in front): give it a moment, not the whole bound.
            if (settled && (grace = grace == TimeSpan.Zero ? deadline.Elapsed : grace) + TimeSpan.FromSeconds(1) < deadline.Elapsed) break;
            // Polling a counter the server updates when it notices the disconnect; there is no event to wait on.
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
        var checks = new List<Check>();
        if (requireDiscard)
            checks.Add(after.PartialUploadsDiscarded > before.PartialUploadsDiscarded
                ? new Check("partial upload discarded", true, $"partialUploadsDiscarded > {before.PartialUploadsDiscarded}", after.PartialUploadsDiscarded.ToString())
                : Check.Skipped("partial upload discarded", "the server counted no discard: the partial upload may never have reached it (a buffering proxy in front); the checks below still hold it to keeping nothing"));
        checks.Add(new Check("no upload left in flight", after.UploadsInFlight <= before.UploadsInFlight, $"≤ {before.UploadsInFlight}", after.UploadsInFlight.ToString()));
        checks.Add(new Check("no partial file left on disk", after.PartialFilesOnDisk <= before.PartialFilesOnDisk, $"≤ {before.PartialFilesOnDisk} (as before the case)", after.PartialFilesOnDisk.ToString()));
        checks.Add(new Check("nothing stored", after.FilesStored == before.FilesStored, before.FilesStored.ToString(), after.FilesStored.ToString()));
        return checks;
    }

    public static string Excerpt(string? text, int max) =>
        text is null ? "nothing" : (text.Length > max ? text[..max] + "…" : text).ReplaceLineEndings(" ");
}

/// <summary>A verdict with its reason and evidence.</summary>
public sealed record Grade(Verdict Verdict, Severity? Severity, string Reason, IReadOnlyList<Check> Checks)
{
    public static Grade Fail(Severity severity, string reason, params Check[] checks) => new(Verdict.Fail, severity, reason, checks);

    /// <summary>Pass when every check holds, else a failure named after the first that did not.</summary>
    public static Grade From(IReadOnlyList<Check> checks, Severity severity) =>
        checks.FirstOrDefault(c => !c.Ok) is { } failed
            ? new Grade(Verdict.Fail, severity, failed.ToString(), checks)
            : new Grade(Verdict.Pass, null, "", checks);
}
