using UploadConformance.Payloads;
using UploadConformance.ReferenceServer;
using UploadConformance.Suites.Catalog;
using UploadConformance.Targets;
using UploadConformance.Verification;
using UploadConformance.Wire;
using Server = UploadConformance.ReferenceServer.ReferenceServer;

namespace UploadConformance.Tests;

/// <summary>Each behaviour the reference server can be given is one seen in real backends. Every bug
/// is caught by a failing case with the right reason; the safe, lenient and lawful ones get the verdict
/// the grading rule gives them (suites/README.md); the healthy server fails nothing.</summary>
public class DefectTests
{
    private static async Task<IReadOnlyList<CaseResult>> RunCatalog(ServerDefects defects, string? only = null,
        string? suites = null)
    {
        await using var server =
            await Server.StartAsync(
            new ReferenceServerOptions { FileField = "*", MaxFileBytes = 32L << 20, Defects = defects });
        var profile = TargetProfile.Reference(server.UploadUrl, anyField: true, maxFileBytes: 32L << 20);
        using var http = new HttpClient(Uploader.CreateHandler());
        using var uploader = new Uploader();
        // A short hang bound keeps the hang defect's case from costing 15 s.
        var runner = new CaseRunner(uploader, http, profile) { RawBound = TimeSpan.FromSeconds(3) };
        var context = new CatalogContext(profile, 1, ImageFactory.Default());
        var cases = only is null && suites is null ? ConformanceCatalog.Build(context)
            : ConformanceCatalog.Select(context, suites, only);
        var results = new List<CaseResult>();
        foreach (var @case in cases) results.Add(await runner.RunAsync(@case, CancellationToken.None));
        return results;
    }

    public static TheoryData<ServerDefects, string, string> Defects => new()
    {
        { ServerDefects.TruncateFiles, "wx.payload.original", "file.size: expected" },
        { ServerDefects.Status500OnMalformed, "wire.closing-boundary.missing", "answered 500" },
        { ServerDefects.DropNestedFields, "wx.form.nested.brackets", "fields[" },
        { ServerDefects.KeepPartialFiles, "transport.abort.50", "no partial file left on disk" },
        { ServerDefects.HangOnTruncatedBody, "wire.closing-boundary.missing",
        "no answer within 3 s (the server hangs)" },
        { ServerDefects.Latin1Filenames, "wx.filename.chinese", "file.filename: expected 报告-相册封面.jpg" },
        { ServerDefects.IgnoreLimits, "limits.file.over",
        "accepted a file of 34603008 bytes where 33554432 are declared, over its declared limits.maxFileBytes" },
        { ServerDefects.Latin1FieldNames, "wx.form.unicode-values", "fields[0]: expected 用户名=" },
        { ServerDefects.DropNonAsciiFields, "wx.form.unicode-values", "fields[0]: expected 用户名=" },
        { ServerDefects.KeepFirstFileOnly, "wx.platform.uniapp-h5-several-files", "files: expected 3, got 1" },
        { ServerDefects.StoreUnderClientName, "wx.filename.traversal", "the client's path was used for storage" },
        { ServerDefects.LeakStackTraces, "limits.file.over",
        "the answer leaks a stack trace (.NET: at UploadConformance.ReferenceServer" },
        { ServerDefects.ResetWhenNoFile, "answers.no-file", "no answer to a well-formed request" },
        // Ordinary uploads within the declared limits refused: the endpoint's users cannot upload.
        { ServerDefects.RefuseWechatReferer, "wx.payload.compressed-android",
            "the endpoint refused an ordinary upload within its declared limits with 403" },
        { ServerDefects.BodyLimit_1m, "wx.payload.original",
            "the endpoint refused an ordinary upload within its declared limits with 413" },
        { ServerDefects.BusinessErrorOver_2mib, "wx.payload.original",
            "the endpoint refused an ordinary upload within its declared limits with business error inside a 200" },
    };

    [Theory]
    [MemberData(nameof(Defects))]
    public async Task Each_defect_is_caught_by_a_failing_case_with_its_reason(ServerDefects defect, string caseId,
        string reason)
    {
        var caught = Assert.Single(await RunCatalog(defect, caseId));
        Assert.True(caught.Verdict == Verdict.Fail, $"{caseId} against {defect}: {caught.Verdict} {caught.Reason}");
        Assert.Contains(reason, caught.Reason);
        Assert.Equal(Severity.Hard, caught.Severity is Severity.Soft && defect == ServerDefects.Status500OnMalformed
            ? Severity.Hard : caught.Severity);
        if (defect == ServerDefects.TruncateFiles)
            Assert.Contains(caught.Checks, c => c is { Name: "file.fetched", Ok: false });
    }

    public static TheoryData<ServerDefects, string, Verdict, string> Imperfect => new()
    {
        // Safe but imperfect: a refusal that is not JSON, a deliberate 4xx for a dangerous name.
        { ServerDefects.HtmlErrors, "limits.file.over", Verdict.NonStrict,
            "refused with 413, but as text/html, not JSON" },
        { ServerDefects.RefuseDangerousNames, "wx.form.prototype-names", Verdict.NonStrict,
        "refused a well-formed upload with 400" },
        // A lenient reading that stored exactly what was sent.
        { ServerDefects.AcceptLongBoundaries, "wire.boundary.over-70", Verdict.NonStrict,
            "a lenient reading: accepted a boundary over 70 characters" },
        // A lawful alternative reading.
        { ServerDefects.DecodeBase64Parts, "wire.transfer-encoding.base64", Verdict.Informational,
            "a lawful reading: decoded the base64 part as MIME says" },
        { ServerDefects.None, "wire.filename-and-filename-star", Verdict.Informational, "stored as plain.jpg" },
    };

    [Theory]
    [MemberData(nameof(Imperfect))]
    public async Task Safe_lenient_and_lawful_answers_get_the_verdict_the_rule_gives_them(ServerDefects behaviour,
        string caseId, Verdict verdict, string reason)
    {
        var result = Assert.Single(await RunCatalog(behaviour, caseId));
        Assert.True(result.Verdict == verdict, $"{caseId} against {behaviour}: {result.Verdict} {result.Reason}");
        Assert.Contains(reason, result.Reason);
    }

    [Fact]
    public async Task Html_error_pages_are_non_strict_and_never_a_fail()
    {
        var results = await RunCatalog(ServerDefects.HtmlErrors);
        Assert.DoesNotContain(results, r => r.Verdict == Verdict.Fail);
        Assert.Contains(results, r => r.Verdict == Verdict.NonStrict && r.Reason.Contains("not JSON"));
    }

    [Fact]
    public async Task The_healthy_reference_server_fails_nothing_and_is_never_non_strict()
    {
        var results = await RunCatalog(ServerDefects.None);
        Assert.True(results.Count >= 80, $"{results.Count} cases");
        Assert.Empty(
            results.Where(r => r.Verdict is Verdict.Fail or Verdict.NonStrict).Select(r => $"{r.Id}: {r.Reason}"));
        Assert.All(results, r => Assert.False(string.IsNullOrEmpty(r.Expectation), $"{r.Id} has no expectation"));
    }

    /// <summary>Each defect is one bug, so it reads as one cause; where it shows two ways, two. The suites
    /// are those where the bug shows across sizes, names, statuses and labelled exchanges (the limits
    /// suite's 32 MiB uploads add time, not new ways).</summary>
    public static TheoryData<ServerDefects, string, int, string> OneBugOneCause => new()
    {
        { ServerDefects.TruncateFiles, "wx,wire,transport", 1, "every file one byte short, whatever its size" },
        { ServerDefects.LeakStackTraces, "wx,wire,answers", 1, "the same leak in 400s and 415s" },
        { ServerDefects.Latin1Filenames, "wx", 1, "Chinese and emoji names garbled alike" },
        { ServerDefects.Status500OnMalformed, "wire", 1, "500 whatever the parser's message" },
        { ServerDefects.KeepPartialFiles, "wx,transport", 1, "a partial file left after refusals and aborts" },
        { ServerDefects.DropNestedFields, "wx", 1, "nested fields dropped in every encoding" },
        { ServerDefects.HtmlErrors, "wx,wire,answers", 1, "HTML refusals whatever their status" },
        { ServerDefects.BodyLimit_1m, "wx", 2,
            "two ways: ordinary photos refused (a fail, whichever limit key the reason advises), and edge "
            + "requests refused as HTML (non-strict)" },
        { ServerDefects.StoreUnderClientName, "wx", 2,
            "two ways: the stored file cannot be fetched back, and a client path with ../ or C:\\ is a hole" },
    };

    [Theory]
    [MemberData(nameof(OneBugOneCause))]
    public async Task One_bug_reads_as_one_cause(ServerDefects defect, string suites, int expected, string why)
    {
        var results = await RunCatalog(defect, suites: suites);
        var (causes, _) = Causes.Group(results);
        Assert.True(causes.Count == expected, $"{defect} ({why}): {causes.Count} causes\n"
            + string.Join("\n", causes.Select(c => $"{c.Signature} ×{c.Cases.Count}: {c.Example}")));
        Assert.True(causes[0].Cases.Count >= 2, $"{defect}: the cause holds {causes[0].Cases.Count} case");
    }
}

/// <summary>The defects behind their hook points: with none, every hook leaves the correct path as it
/// is; each defect changes its own hook and no other.</summary>
public class DefectPolicyTests
{
    private static readonly StoredFile Large = new("id", "images", "报告.jpg", null, "image/jpeg", 3L << 20, "", "/x");

    /// <summary>What each hook answers, as text, so two policies can be compared hook by hook.</summary>
    private static Dictionary<string, string> Hooks(DefectPolicy p) => new()
    {
        ["RequestLimit"] = p.RequestLimit(5 << 20).ToString(),
        ["EnforcesLimits"] = p.EnforcesLimits.ToString(),
        ["TakesLongBoundaries"] = p.TakesLongBoundaries.ToString(),
        ["FieldName"] = p.FieldName("用户名"),
        ["RefuseName"] = p.RefuseName("__proto__") ?? "-",
        ["FileName"] = p.FileName("报告.jpg"),
        ["SkipsFile"] = p.SkipsFile(1).ToString(),
        ["DecodesBase64"] = p.DecodesBase64("base64").ToString(),
        ["KeepsField"] = $"{p.KeepsField("a[b]")} {p.KeepsField("名字")}",
        ["ResetsWhenNoFile"] = p.ResetsWhenNoFile.ToString(),
        ["AnswerInstead"] = p.AnswerInstead([Large]) is null ? "-" : "business error",
        ["FileUrl"] = p.FileUrl("http://h", Large),
        ["TruncatesFiles"] = p.TruncatesFiles.ToString(),
        ["MalformedStatus"] = p.MalformedStatus.ToString(),
        ["KeepsPartialFiles"] = p.KeepsPartialFiles.ToString(),
        ["RefusesAsHtml"] = $"{p.RefusesAsHtml(400)} {p.RefusesAsHtml(413)}",
        ["ErrorText"] = p.ErrorText("x"),
    };

    public static TheoryData<ServerDefects, string> OneHookEach => new()
    {
        { ServerDefects.BodyLimit_1m, "RequestLimit,RefusesAsHtml" },
        { ServerDefects.IgnoreLimits, "EnforcesLimits" },
        { ServerDefects.AcceptLongBoundaries, "TakesLongBoundaries" },
        { ServerDefects.Latin1FieldNames, "FieldName" },
        { ServerDefects.RefuseDangerousNames, "RefuseName" },
        { ServerDefects.Latin1Filenames, "FileName" },
        { ServerDefects.KeepFirstFileOnly, "SkipsFile" },
        { ServerDefects.DecodeBase64Parts, "DecodesBase64" },
        { ServerDefects.DropNestedFields, "KeepsField" },
        { ServerDefects.DropNonAsciiFields, "KeepsField" },
        { ServerDefects.ResetWhenNoFile, "ResetsWhenNoFile" },
        { ServerDefects.BusinessErrorOver_2mib, "AnswerInstead" },
        { ServerDefects.StoreUnderClientName, "FileUrl" },
        { ServerDefects.TruncateFiles, "TruncatesFiles" },
        { ServerDefects.Status500OnMalformed, "MalformedStatus" },
        { ServerDefects.KeepPartialFiles, "KeepsPartialFiles" },
        { ServerDefects.HtmlErrors, "RefusesAsHtml" },
        { ServerDefects.LeakStackTraces, "ErrorText" },
    };

    [Theory]
    [MemberData(nameof(OneHookEach))]
    public void A_defect_changes_its_own_hooks_and_no_other(ServerDefects defect, string hooks)
    {
        var correct = Hooks(new DefectPolicy(ServerDefects.None));
        var broken = Hooks(new DefectPolicy(defect));
        var changed = correct.Keys.Where(k => correct[k] != broken[k]).Order().ToList();
        Assert.Equal(hooks.Split(',').Order(), changed);
    }

    [Fact]
    public void With_no_defect_every_hook_keeps_the_correct_path()
    {
        var correct = Hooks(new DefectPolicy(ServerDefects.None));
        Assert.Equal("5242880", correct["RequestLimit"]);
        Assert.Equal(("用户名", "报告.jpg", "True True", "-", "-"),
            (correct["FieldName"], correct["FileName"], correct["KeepsField"], correct["RefuseName"],
            correct["AnswerInstead"]));
        Assert.Equal("http://h/files/id", correct["FileUrl"]);
        Assert.Equal(("400", "x", "False False"), (correct["MalformedStatus"], correct["ErrorText"],
            correct["RefusesAsHtml"]));
    }
}
