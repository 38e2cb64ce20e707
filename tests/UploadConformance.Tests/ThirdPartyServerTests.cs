using UploadConformance.Payloads;
using UploadConformance.Suites.Catalog;
using UploadConformance.Targets;
using UploadConformance.Verification;
using Xunit.Abstractions;

namespace UploadConformance.Tests;

/// <summary>The catalog against real third-party servers, asserting what the suite must report for
/// them. Their full verdict lists are written to the test output.</summary>
public static class Catalog
{
    public static async Task<IReadOnlyDictionary<string, CaseResult>> RunAsync(TargetProfile profile,
        UploadConformance.Wire.Uploader uploader,
        HttpClient http, ITestOutputHelper output, params string[] only)
    {
        var runner = new CaseRunner(uploader, http, profile) { RawBound = TimeSpan.FromSeconds(10) };
        var results = new Dictionary<string, CaseResult>();
        var context = new CatalogContext(profile, 1, ImageFactory.Default());
        var cases = only.Length == 0 ? ConformanceCatalog.Build(context)
            : ConformanceCatalog.Select(context, null, string.Join(",", only));
        foreach (var @case in cases)
        {
            var result = await runner.RunAsync(@case, CancellationToken.None);
            results[result.Id] = result;
            output.WriteLine(
                $"{result.Verdict,-13} {result.Id,-42} {result.Outcome.Status?.ToString() ?? "-",4} {result.Reason}");
        }
        return results;
    }
}

public class MulterTests(MulterFixture multer, ITestOutputHelper output) : IClassFixture<MulterFixture>
{
    [Fact]
    public async Task The_suite_reports_multers_500s_garbled_names_and_stores_what_it_should()
    {
        var profile = ProfileLoader.Load(Path.Combine(Repo.Root, "profiles", "multer-express.yaml"), multer.Url);
        var results = await Catalog.RunAsync(profile, multer.Uploader, multer.Http, output);

        // Known multer behaviours (research notes): an unexpected field and a file over the limit are
        // errors that express's default handler turns into an HTML 500, which in development shows the stack.
        Assert.Equal(Verdict.Fail, results["wx.name.mismatch"].Verdict);
        Assert.Equal(Severity.Hard, results["wx.name.mismatch"].Severity);
        Assert.StartsWith("the answer leaks a stack trace (Node.js: at wrappedFileFilter",
            results["wx.name.mismatch"].Reason);
        Assert.Contains("500", results["limits.file.over"].Outcome.Status.ToString());
        Assert.Equal(Verdict.Fail, results["limits.file.over"].Verdict);
        // busboy under multer decodes raw UTF-8 filenames, and field names, as Latin-1.
        Assert.Equal(Verdict.Fail, results["wx.filename.chinese"].Verdict);
        Assert.Contains("file.filename: expected 报告-相册封面.jpg", results["wx.filename.chinese"].Reason);
        var garbled = results["wx.form.unicode-values"];
        Assert.Equal(Verdict.Fail, garbled.Verdict);
        Assert.StartsWith("fields.用户名: expected 用户名=", garbled.Reason);
        // req.body is an object with bracket names decoded: the fields check runs and holds.
        foreach (var id in new[] { "wx.form.flat", "wx.form.nested.brackets", "wx.form.nested.dots",
            "wx.form.duplicate-names" })
            Assert.Contains(results[id].Checks, c => c is { Name: "fields", Ok: true, Checked: true });
        // What it does right is graded right.
        Assert.Equal(Verdict.Pass, results["wx.name.file"].Verdict);
        Assert.Equal(Verdict.Pass, results["wx.payload.original"].Verdict);
        Assert.Equal(Verdict.Pass, results["transport.concurrent-10"].Verdict);
        Assert.DoesNotContain(results.Values, r => r.Reason.Contains("the server hangs"));
    }
}

public class NginxTests(NginxFixture nginx, ITestOutputHelper output) : IClassFixture<NginxFixture>
{
    [Fact]
    public async Task The_suite_reports_nginxs_default_1m_limit_and_its_HTML_413()
    {
        var profile = TargetProfile.Reference(nginx.Url, anyField: true, maxFileBytes: 32L << 20);
        var results = await Catalog.RunAsync(profile, nginx.Uploader, nginx.Http, output);

        // client_max_body_size defaults to 1m: an ordinary original photo is refused, as an HTML page.
        // Safe (nothing stored wrong), so non-strict, with the key to declare if the limit is meant.
        var original = results["wx.payload.original"];
        Assert.Equal(Verdict.NonStrict, original.Verdict);
        Assert.Contains(
            "refused a well-formed upload with 413 (if something in front limits bodies, declare "
            + "limits.maxRequestBytes)", original.Reason);
        Assert.Contains("<html>", original.Outcome.BodyExcerpt);
        var over = results["limits.file.over"];
        Assert.Equal(Verdict.NonStrict, over.Verdict);
        Assert.Contains("not JSON", over.Reason);
        // Small uploads pass through byte-exact, fetched back through nginx too.
        Assert.Equal(Verdict.Pass, results["wx.payload.compressed-android"].Verdict);
        Assert.Contains(results["wx.payload.compressed-android"].Checks, c =>
            c is { Name: "file.fetched", Ok: true, Checked: true });
        // nginx buffers the body, so an aborted upload never reaches the backend: nothing is kept,
        // and the backend's discard counter is rightly not held against it.
        var abort = results["transport.abort.50"];
        Assert.Equal(Verdict.Pass, abort.Verdict);
        Assert.Contains(abort.Checks, c => c is { Name: "partial upload discarded", Checked: false });
        Assert.Contains(abort.Checks, c => c is { Name: "nothing stored", Ok: true, Checked: true });
    }
}

public class NginxTlsTests(NginxTlsFixture nginx, ITestOutputHelper output) : IClassFixture<NginxTlsFixture>
{
    [Fact]
    public async Task Uploads_through_nginx_terminating_TLS_with_HTTP_2_arrive_byte_exact()
    {
        var profile = TargetProfile.Reference(nginx.Url, anyField: true, maxFileBytes: 32L << 20);
        var runner = new CaseRunner(nginx.Uploader, nginx.Http, profile);
        var cases = ConformanceCatalog.Select(new CatalogContext(profile, 1, ImageFactory.Default()), "wx", null);
        var results = new List<CaseResult>();
        foreach (var c in cases) results.Add(await runner.RunAsync(c, CancellationToken.None));
        foreach (var r in results) output.WriteLine($"{r.Verdict,-13} {r.Id,-42} {r.Outcome.Protocol} {r.Reason}");

        Assert.All(results, r => Assert.True(r.Verdict is Verdict.Pass, $"{r.Id}: {r.Reason}"));
        var original = results.Single(r => r.Id == "wx.payload.original");
        Assert.Equal("HTTP/2.0", original.Outcome.Protocol);
        Assert.Contains(original.Checks, c => c is { Name: "file.sha256", Ok: true });
        Assert.Contains(original.Checks, c => c is { Name: "file.fetched", Ok: true, Checked: true });
    }
}
