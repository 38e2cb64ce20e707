using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using UploadConformance.Wire;

namespace UploadConformance.Verification;

/// <summary>Sends one case and grades what came back: the answer, the stored bytes fetched back,
/// and, after an abort or timeout, whether the server is healthy and kept nothing.</summary>
public sealed class CaseRunner(Uploader uploader, HttpClient http, TargetProbe probe)
{
    /// <summary>How long a server may take to notice a vanished client and clean up.</summary>
    public static readonly TimeSpan CleanupBound = TimeSpan.FromSeconds(10);

    public async Task<CaseResult> RunAsync(UploadCase @case, CancellationToken cancellationToken, Action<long, long>? progress = null)
    {
        var clock = Stopwatch.StartNew();
        var before = @case.Expect == Expectation.Stored ? null : await probe.StatsAsync(cancellationToken).ConfigureAwait(false);
        var outcome = await uploader.SendAsync(@case.Plan, progress, cancellationToken).ConfigureAwait(false);
        var checks = @case.Expect == Expectation.Stored
            ? await VerifyStoredAsync(@case.Plan, outcome, cancellationToken).ConfigureAwait(false)
            : await VerifyDiscardedAsync(@case.Expect, outcome, before, cancellationToken).ConfigureAwait(false);
        var failed = checks.FirstOrDefault(c => !c.Ok);
        return new CaseResult
        {
            Id = @case.Id,
            Suite = @case.Suite,
            Description = @case.Description,
            Verdict = failed is null ? Verdict.Pass : Verdict.Fail,
            Reason = failed?.ToString() ?? "",
            Request = RequestSummary.Of(@case.Plan),
            Outcome = OutcomeSummary.Of(outcome),
            Checks = checks,
            DurationMs = Math.Round(clock.Elapsed.TotalMilliseconds, 2),
        };
    }

    public async Task<IReadOnlyList<Check>> VerifyStoredAsync(RequestPlan plan, UploadOutcome outcome, CancellationToken cancellationToken)
    {
        var checks = new List<Check>();
        if (!outcome.Answered)
        {
            checks.Add(new Check("answered", false, "uploadFile:ok", $"{outcome.ErrMsg} ({outcome.Error})"));
            return checks;
        }
        checks.Add(new Check("status", outcome.StatusCode is >= 200 and < 300, "2xx", outcome.StatusCode?.ToString()));

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(outcome.Data ?? "");
        }
        catch (JsonException)
        {
            checks.Add(new Check("json", false, "a JSON answer", Excerpt(outcome.Data)));
            return checks;
        }
        using (document)
        {
            var root = document.RootElement;
            checks.Add(new Check("json", root.ValueKind == JsonValueKind.Object, "a JSON object", root.ValueKind.ToString()));
            if (root.ValueKind != JsonValueKind.Object) return checks;
            var code = root.TryGetProperty("code", out var c) ? c.ToString() : null;
            checks.Add(new Check("$.code", code == "0", "0", code));
            if (!root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
            {
                checks.Add(new Check("$.data", false, "an object describing the stored file", Excerpt(outcome.Data)));
                return checks;
            }

            var echoed = data.TryGetProperty("files", out var files) && files.ValueKind == JsonValueKind.Array
                ? files.EnumerateArray().ToList()
                : [data];
            var sent = plan.Request.Files().ToList();
            checks.Add(new Check("files", echoed.Count == sent.Count, sent.Count.ToString(), echoed.Count.ToString()));
            for (var i = 0; i < Math.Min(sent.Count, echoed.Count); i++)
            {
                var (field, file) = sent[i];
                var e = echoed[i];
                var prefix = sent.Count == 1 ? "file" : $"file[{i}]";
                checks.Add(Compare($"{prefix}.size", file.Payload.Length.ToString(), Text(e, "size")));
                checks.Add(Compare($"{prefix}.sha256", file.Payload.Sha256, Text(e, "sha256")));
                checks.Add(Compare($"{prefix}.field", MultipartBody.Escape(field, plan.Wire.NameEscaping), Text(e, "field")));
                checks.Add(Compare($"{prefix}.filename", MultipartBody.Escape(file.FileName, plan.Wire.NameEscaping), Text(e, "filename")));
                checks.Add(Compare($"{prefix}.contentType", file.ContentType, Text(e, "contentType")));
                checks.Add(await FetchBackAsync($"{prefix}.fetched", Text(e, "url"), file.Payload.Sha256, cancellationToken).ConfigureAwait(false));
            }
            checks.Add(CompareFields(plan, data));
        }
        return checks;
    }

    private static Check CompareFields(RequestPlan plan, JsonElement data)
    {
        if (!data.TryGetProperty("fields", out var fields) || fields.ValueKind != JsonValueKind.Array)
            return Check.Skipped("fields", "the answer echoes no fields");
        var expected = plan.Fields.Select(f => (MultipartBody.Escape(f.Name, plan.Wire.NameEscaping), f.Value)).ToList();
        var actual = fields.EnumerateArray().Select(f => (Text(f, "name") ?? "", Text(f, "value") ?? "")).ToList();
        for (var i = 0; i < Math.Max(expected.Count, actual.Count); i++)
        {
            var want = i < expected.Count ? $"{expected[i].Item1}={expected[i].Value}" : "no more fields";
            var got = i < actual.Count ? $"{actual[i].Item1}={actual[i].Item2}" : "no more fields";
            if (want != got) return new Check($"fields[{i}]", false, Excerpt(want), Excerpt(got));
        }
        return new Check("fields", true, $"{expected.Count} fields", $"{actual.Count} fields");
    }

    private async Task<Check> FetchBackAsync(string name, string? url, string sha256, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(url) || !Uri.TryCreate(probe.UploadUrl, url, out var uri))
            return Check.Skipped(name, "the answer gives no url to fetch the file back from");
        try
        {
            using var response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                return new Check(name, false, "200 with the stored bytes", $"{(int)response.StatusCode} from {uri}");
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var fetched = Convert.ToHexStringLower(await SHA256.HashDataAsync(body, cancellationToken).ConfigureAwait(false));
            return Compare(name, sha256, fetched);
        }
        catch (HttpRequestException e)
        {
            return new Check(name, false, "the stored bytes", e.Message.ReplaceLineEndings(" "));
        }
    }

    private async Task<IReadOnlyList<Check>> VerifyDiscardedAsync(Expectation expect, UploadOutcome outcome, StatsSnapshot? before, CancellationToken cancellationToken)
    {
        var wanted = expect == Expectation.AbortedClean ? "uploadFile:fail abort" : "uploadFile:fail timeout";
        var checks = new List<Check>
        {
            new("errMsg", outcome.ErrMsg == wanted, wanted, outcome.ErrMsg),
            new("mid-stream", outcome.BytesSent > 0 && outcome.BytesSent < outcome.BytesExpected,
                $"between 0 and {outcome.BytesExpected} bytes sent", $"{outcome.BytesSent}"),
            new("healthy afterwards", await probe.IsHealthyAsync(cancellationToken).ConfigureAwait(false), "GET /health answers", "no answer or 5xx"),
        };
        if (before is null)
        {
            checks.Add(Check.Skipped("nothing kept", "the target publishes no /stats"));
            return checks;
        }
        var deadline = Stopwatch.StartNew();
        var after = before;
        while (deadline.Elapsed < CleanupBound)
        {
            after = await probe.StatsAsync(cancellationToken).ConfigureAwait(false) ?? before;
            if (after.PartialUploadsDiscarded > before.PartialUploadsDiscarded && after.UploadsInFlight <= before.UploadsInFlight) break;
            // Polling a counter the server updates when it notices the disconnect; there is no event to wait on.
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
        checks.Add(new Check("partial upload discarded", after.PartialUploadsDiscarded > before.PartialUploadsDiscarded,
            $"partialUploadsDiscarded > {before.PartialUploadsDiscarded} within {CleanupBound.TotalSeconds:0} s", after.PartialUploadsDiscarded.ToString()));
        checks.Add(new Check("no upload left in flight", after.UploadsInFlight <= before.UploadsInFlight, $"≤ {before.UploadsInFlight}", after.UploadsInFlight.ToString()));
        checks.Add(new Check("no partial file on disk", after.PartialFilesOnDisk == 0, "0", after.PartialFilesOnDisk.ToString()));
        checks.Add(new Check("nothing stored", after.FilesStored == before.FilesStored, before.FilesStored.ToString(), after.FilesStored.ToString()));
        return checks;
    }

    private static Check Compare(string name, string? expected, string? actual) => new(name, expected == actual, expected, actual);

    private static string? Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value)
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.ToString()
            : null;

    private static string Excerpt(string? text) =>
        text is null ? "nothing" : text.Length > 120 ? text[..120].ReplaceLineEndings(" ") + "…" : text.ReplaceLineEndings(" ");
}
