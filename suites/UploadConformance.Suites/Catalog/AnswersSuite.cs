using UploadConformance.Payloads;
using UploadConformance.Verification;
using UploadConformance.Wire;

namespace UploadConformance.Suites.Catalog;

/// <summary>What the client is handed: wx gives <c>res.data</c> as a string and fires success on any
/// status, so answers must be JSON a client can parse, and errors must not hide inside a 200.</summary>
public static class AnswersSuite
{
    public const string Name = "answers";

    public static IEnumerable<UploadCase> Build(CatalogContext c)
    {
        var cases = new CaseList(Name);
        var plan = c.Plan(c.Image(ImageSpec.CompressedAndroid));
        cases.Compound("json-utf8", "a success answer is JSON with a UTF-8 (or no) charset that parses",
            (runner, @case, ct) => JsonAnswerAsync(runner, @case, plan, ct));
        cases.Add("refusal-is-json", "a refusal is JSON too, not an HTML error page (nginx's 413 is HTML)",
            c.Plan(c.Image(ImageSpec.CompressedAndroid), wire: new WireOptions { ContentTypeOverride = "multipart/form-data" }),
            new Expectation.Refused(Statuses.BadRequest, "a body it cannot delimit"), canHurt: true);
        cases.Raw("no-file", "fields but no file: refused with a 4xx, not a success, not a business error inside a 200",
            RawRequest.Multipart("multipart/form-data; boundary=x", CatalogContext.Bytes("--x\r\nContent-Disposition: form-data; name=\"id\"\r\n\r\ntest\r\n--x--\r\n")),
            new Expectation.Refused([400, 422], "an upload without a file"));
        return cases;
    }

    private static async Task<CaseResult> JsonAnswerAsync(CaseRunner runner, UploadCase @case, RequestPlan plan, CancellationToken ct)
    {
        var (outcome, summary, sent) = await runner.SendAsync(new CaseRequest.Planned(plan), null, ct).ConfigureAwait(false);
        var grade = await runner.GradeAsync(Expectation.StoredExactly, outcome, sent, null, ct).ConfigureAwait(false);
        var type = outcome.ResponseContentType ?? "";
        var json = type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) || type.Contains("+json", StringComparison.OrdinalIgnoreCase);
        var charset = !type.Contains("charset", StringComparison.OrdinalIgnoreCase) || type.Contains("utf-8", StringComparison.OrdinalIgnoreCase);
        var check = new Check("content type", json && charset, "application/json; charset=utf-8", type.Length == 0 ? "none" : type);
        grade = grade with { Checks = [.. grade.Checks, check] };
        if (grade.Verdict == Verdict.Pass && !check.Ok)
            grade = grade with { Verdict = Verdict.NonStrict, Reason = $"a JSON answer labelled '{check.Actual}': clients that trust the label will not parse it" };
        return CaseRunner.Result(@case, grade, summary, OutcomeSummary.Of(outcome));
    }
}
