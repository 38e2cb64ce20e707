using UploadConformance.Payloads;
using UploadConformance.ReferenceServer;
using UploadConformance.Suites.Catalog;
using UploadConformance.Targets;
using UploadConformance.Verification;
using UploadConformance.Wire;
using Server = UploadConformance.ReferenceServer.ReferenceServer;

namespace UploadConformance.Tests;

/// <summary>Each defect the reference server can be given is a real bug class; the full catalog
/// must catch each with a failing case and the right reason (or, for HTML error pages, a
/// non-strict verdict naming it), and the healthy server must fail nothing.</summary>
public class DefectTests
{
    private static async Task<IReadOnlyList<CaseResult>> RunCatalog(ServerDefects defects)
    {
        await using var server = await Server.StartAsync(new ReferenceServerOptions { FileField = "*", MaxFileBytes = 32L << 20, Defects = defects });
        var profile = TargetProfile.Reference(server.UploadUrl, anyField: true, maxFileBytes: 32L << 20);
        using var http = new HttpClient(Uploader.CreateHandler());
        using var uploader = new Uploader();
        // A short hang bound keeps the hang defect's case from costing 15 s.
        var runner = new CaseRunner(uploader, http, profile) { RawBound = TimeSpan.FromSeconds(3) };
        var results = new List<CaseResult>();
        foreach (var @case in ConformanceCatalog.Build(new CatalogContext(profile, 1, ImageFactory.Default())))
            results.Add(await runner.RunAsync(@case, CancellationToken.None));
        return results;
    }

    public static TheoryData<ServerDefects, string, string> Defects => new()
    {
        { ServerDefects.TruncateFiles, "wx.payload.original", "file.size: expected" },
        { ServerDefects.Status500OnMalformed, "wire.closing-boundary.missing", "answered 500" },
        { ServerDefects.DropNestedFields, "wx.form.nested.brackets", "fields[" },
        { ServerDefects.KeepPartialFiles, "transport.abort.50", "no partial file left on disk" },
        { ServerDefects.HangOnTruncatedBody, "wire.closing-boundary.missing", "no answer within 3 s (the server hangs)" },
        { ServerDefects.Latin1Filenames, "wx.filename.chinese", "file.filename: expected 报告-相册封面.jpg" },
        { ServerDefects.IgnoreLimits, "limits.file.over", "accepted what it should refuse" },
    };

    [Theory]
    [MemberData(nameof(Defects))]
    public async Task Each_defect_is_caught_by_a_failing_case_with_its_reason(ServerDefects defect, string caseId, string reason)
    {
        var results = await RunCatalog(defect);
        var caught = results.Single(r => r.Id == caseId);
        Assert.True(caught.Verdict == Verdict.Fail, $"{caseId} against {defect}: {caught.Verdict} {caught.Reason}");
        Assert.Contains(reason, caught.Reason);
        if (defect == ServerDefects.TruncateFiles)
            Assert.Contains(caught.Checks, c => c is { Name: "file.fetched", Ok: false });
    }

    [Fact]
    public async Task Html_error_pages_are_reported_as_non_strict_refusals()
    {
        var results = await RunCatalog(ServerDefects.HtmlErrors);
        var over = results.Single(r => r.Id == "limits.file.over");
        Assert.Equal(Verdict.NonStrict, over.Verdict);
        Assert.Contains("not JSON", over.Reason);
        Assert.DoesNotContain(results, r => r.Verdict == Verdict.Fail);
    }

    [Fact]
    public async Task The_healthy_reference_server_fails_nothing_and_is_never_non_strict()
    {
        var results = await RunCatalog(ServerDefects.None);
        Assert.True(results.Count >= 80, $"{results.Count} cases");
        Assert.Empty(results.Where(r => r.Verdict is Verdict.Fail or Verdict.NonStrict).Select(r => $"{r.Id}: {r.Reason}"));
    }
}
