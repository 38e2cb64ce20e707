using UploadConformance.Results;
using UploadConformance.Verification;
using Xunit.Abstractions;

namespace UploadConformance.Tests;

// The stacks of docs/stacks.md, each with the findings its section puts first.

public class PhpDefaultsStackTests(PhpDefaultsFixture server, ITestOutputHelper output)
    : StackTests<PhpDefaultsFixture>(server, output), IClassFixture<PhpDefaultsFixture>
{
    protected override string Stack => "php-defaults";
    protected override string Profile => "php-defaults.yaml";

    protected override void AssertFindings(IReadOnlyDictionary<string, CaseResult> cases)
    {
        // upload_max_filesize 2M: an ordinary original photo is refused, as the profile declares.
        var original = cases["wx.payload.original"];
        Assert.Equal(Verdict.Pass, original.Verdict);
        Assert.Equal(413, original.Outcome.Status);
        Assert.Contains("limits.maxFileBytes", original.Expectation);
        PhpStack.AssertCommonFindings(cases);
    }
}

public class PhpRaisedStackTests(PhpRaisedFixture server, ITestOutputHelper output)
    : StackTests<PhpRaisedFixture>(server, output), IClassFixture<PhpRaisedFixture>
{
    protected override string Stack => "php-raised";
    protected override string Profile => "php-raised.yaml";

    protected override void AssertFindings(IReadOnlyDictionary<string, CaseResult> cases)
    {
        var original = cases["wx.payload.original"];
        Assert.Equal(Verdict.Pass, original.Verdict);
        Assert.Contains(original.Checks, c => c is { Name: "file.fetched", Ok: true, Checked: true });
        Assert.Equal(Verdict.Pass, cases["wx.payload.long-screenshot"].Verdict);
        PhpStack.AssertCommonFindings(cases);
    }
}

/// <summary>PHP's defaults under a profile that promises more than they allow (10 MiB, as a team that
/// never checked php.ini would write): the ordinary photos PHP refuses are the endpoint's users unable
/// to upload, so they fail, with the key to fix in the reason and the usual culprits in the hint.</summary>
public class PhpDefaultsOverpromisedTests(PhpDefaultsFixture server) : IClassFixture<PhpDefaultsFixture>
{
    [Fact]
    public async Task Ordinary_photos_refused_under_the_declared_10_MiB_fail()
    {
        var profile = Path.Combine(Path.GetTempPath(), $"uc-php-10mib-{Guid.NewGuid():N}.yaml");
        var truthful = await File.ReadAllTextAsync(Path.Combine(Repo.Root, "profiles", "php-defaults.yaml"));
        await File.WriteAllTextAsync(profile, truthful.Replace("maxFileBytes: 2MiB", "maxFileBytes: 10MiB")
            .Replace("maxRequestBytes: 8MiB", "maxRequestBytes: 12MiB"));
        var dir = Path.Combine(Path.GetTempPath(), $"uc-php-10mib-{Guid.NewGuid():N}");
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var code = await Cli.Cli.RunAsync(["conform", "--target", server.Url.ToString(), "--profile", profile,
            "--case", "wx.payload.*", "--out", dir], stdout, stderr, CancellationToken.None);
        Assert.True(code == Cli.ExitCodes.Failures, $"exit {code}: {stderr}");
        var cases = ResultsFile.Read(dir).Cases.ToDictionary(c => c.Id);
        var original = cases["wx.payload.original"];
        Assert.Equal(Verdict.Fail, original.Verdict);
        Assert.StartsWith(Grader.RefusedOrdinary + " with 413", original.Reason);
        Assert.Contains("an ordinary upload within the declared limits", original.Expectation);
        // The small photo goes through; the 17 MB screenshot is over the declared 10 MiB: a limit refusal.
        Assert.Equal(Verdict.Pass, cases["wx.payload.compressed-android"].Verdict);
        Assert.Equal(Verdict.Pass, cases["wx.payload.long-screenshot"].Verdict);
    }
}

/// <summary>What PHP does whatever its size limits.</summary>
public static class PhpStack
{
    public static void AssertCommonFindings(IReadOnlyDictionary<string, CaseResult> cases)
    {
        // max_input_vars: a file, then 1,500 fields: the first 1,000 kept, the rest dropped, and a 200.
        var dropped = cases["limits.parts.1500-fields-after-file"];
        Assert.Equal(Verdict.Fail, dropped.Verdict);
        Assert.Contains("fields.f1000: expected f1000=v1000, got no such field", dropped.Reason);
        // Three files under one name: $_FILES keeps the last, the handler stores one, the others are lost.
        var several = cases["wx.platform.uniapp-h5-several-files"];
        Assert.Equal(Verdict.Fail, several.Verdict);
        Assert.Contains("files: expected 3, got 1", several.Reason);
        // Dots in names become underscores: everything is there, under another name.
        var dots = cases["wx.form.nested.dots"];
        Assert.Equal(Verdict.NonStrict, dots.Verdict);
        Assert.Contains("location.lat → location_lat", dots.Reason);
        Assert.Contains(dots.Checks, c => c is { Name: "fields", Ok: false, Harmless: true });
    }
}

/// <summary>The handler without its <c>['error']</c> check: the failure docs/stacks.md warns of.</summary>
public class PhpUncheckedTests(PhpUncheckedFixture server) : IClassFixture<PhpUncheckedFixture>
{
    [Fact]
    public async Task A_file_over_upload_max_filesize_succeeding_with_nothing_stored_fails()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"uc-php-unchecked-{Guid.NewGuid():N}");
        var stderr = new StringWriter();
        var code = await Cli.Cli.RunAsync(["conform", "--target", server.Url.ToString(), "--profile",
            Path.Combine(Repo.Root, "profiles", "php-defaults.yaml"), "--case", "wx.payload.original,limits.file.over",
            "--out", dir], new StringWriter(), stderr, CancellationToken.None);
        Assert.True(code == Cli.ExitCodes.Failures, $"exit {code}: {stderr}");
        foreach (var result in ResultsFile.Read(dir).Cases)
        {
            Assert.Equal(Verdict.Fail, result.Verdict);
            Assert.StartsWith("accepted a file of ", result.Reason);
            Assert.Contains("over its declared limits.maxFileBytes", result.Reason);
        }
        Directory.Delete(dir, recursive: true);
    }
}

public class TomcatStackTests(TomcatFixture server, ITestOutputHelper output)
    : StackTests<TomcatFixture>(server, output), IClassFixture<TomcatFixture>
{
    protected override string Stack => "tomcat";
    protected override string Profile => "tomcat-servlet.yaml";

    protected override void AssertFindings(IReadOnlyDictionary<string, CaseResult> cases)
    {
        // getPart("file") takes the first file; the other two are never read, and the answer is 200.
        var several = cases["wx.platform.uniapp-h5-several-files"];
        Assert.Equal(Verdict.Fail, several.Verdict);
        Assert.Contains("files: expected 3, got 1", several.Reason);
        // maxPartCount (50): a form of many parts is refused, by the servlet's catch-all as a 400.
        var parts = cases["limits.parts.1500-fields-after-file"];
        Assert.Equal(Verdict.NonStrict, parts.Verdict);
        Assert.Equal(400, parts.Outcome.Status);
        Assert.Contains("FileCountLimitExceeded", parts.Outcome.BodyExcerpt);
        // The backslashes of a Windows path read as quoted-pair escapes: a lawful reading.
        var windows = cases["wx.filename.windows-path"];
        Assert.Equal(Verdict.Informational, windows.Verdict);
        Assert.Contains(windows.Checks,
            c => c is { Name: "file.filename", Ok: true, Actual: "C:UsersmePicturesIMG_0001.jpg" });
        // No size limit by default: a 30 MiB file is stored, byte for byte.
        Assert.Equal(Verdict.Pass, cases["limits.file.large"].Verdict);
    }
}

public class AspNetStackTests(AspNetFixture server, ITestOutputHelper output)
    : StackTests<AspNetFixture>(server, output), IClassFixture<AspNetFixture>
{
    protected override string Stack => "aspnetcore";
    protected override string Profile => "aspnetcore-minimal.yaml";

    protected override void AssertFindings(IReadOnlyDictionary<string, CaseResult> cases)
    {
        // Binding one IFormFile takes the first file; the rest are dropped, and the answer is 200.
        var several = cases["wx.platform.uniapp-h5-several-files"];
        Assert.Equal(Verdict.Fail, several.Verdict);
        Assert.Contains("files: expected 3, got 1", several.Reason);
        // A refused binding is a 400 with an empty body: safe, but nothing a client can read.
        var images = cases["wx.name.images"];
        Assert.Equal(Verdict.NonStrict, images.Verdict);
        Assert.Contains("not JSON", images.Reason);
        // Kestrel's 30,000,000-byte body limit: a 30 MiB file is cut off while it is still arriving.
        var large = cases["limits.file.large"];
        Assert.Equal(Verdict.NonStrict, large.Verdict);
        Assert.Contains("limits.maxRequestBytes", large.Expectation);
        Assert.Equal(Verdict.Pass, cases["limits.field.over"].Verdict);
    }

    /// <summary>Why the profile declares no maxFieldBytes: FormOptions.ValueLengthLimit (4 MiB) is for
    /// urlencoded forms; a multipart field is bounded by the body limit alone.</summary>
    [Fact]
    public async Task A_multipart_field_over_ValueLengthLimit_is_stored()
    {
        var value = new string('v', 5 << 20);
        using var form = new MultipartFormDataContent
        {
            { new StringContent(value), "blob" },
            { new ByteArrayContent([0xFF, 0xD8, 0xFF, 0xD9]), "file", "tiny.jpg" },
        };
        using var http = new HttpClient();
        using var response = await http.PostAsync(Server.Url, form);
        using var answer = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(value.Length,
            answer.RootElement.GetProperty("data").GetProperty("fields").GetProperty("blob").GetString()!.Length);
    }
}

public class MulterStackTests(MulterFixture server, ITestOutputHelper output)
    : StackTests<MulterFixture>(server, output), IClassFixture<MulterFixture>
{
    protected override string Stack => "multer";
    protected override string Profile => "multer-express.yaml";

    protected override void AssertFindings(IReadOnlyDictionary<string, CaseResult> cases)
    {
        // An unexpected field and a file over the limit are errors express's default handler turns
        // into an HTML 500 which, in development, shows the stack.
        Assert.Equal(Verdict.Fail, cases["wx.name.mismatch"].Verdict);
        Assert.Equal(Severity.Hard, cases["wx.name.mismatch"].Severity);
        Assert.StartsWith("the answer leaks a stack trace (Node.js: at wrappedFileFilter",
            cases["wx.name.mismatch"].Reason);
        Assert.Equal(500, cases["limits.file.over"].Outcome.Status);
        Assert.Equal(Verdict.Fail, cases["limits.file.over"].Verdict);
        // busboy under multer decodes raw UTF-8 filenames, and field names, as Latin-1.
        Assert.Equal(Verdict.Fail, cases["wx.filename.chinese"].Verdict);
        Assert.Contains("file.filename: expected 报告-相册封面.jpg", cases["wx.filename.chinese"].Reason);
        Assert.StartsWith("fields.用户名: expected 用户名=", cases["wx.form.unicode-values"].Reason);
        // req.body is an object with bracket names decoded: the fields check runs and holds.
        foreach (var id in new[] { "wx.form.flat", "wx.form.nested.brackets", "wx.form.nested.dots",
            "wx.form.duplicate-names" })
            Assert.Contains(cases[id].Checks, c => c is { Name: "fields", Ok: true, Checked: true });
        Assert.Equal(Verdict.Pass, cases["wx.payload.original"].Verdict);
        Assert.Equal(Verdict.Pass, cases["transport.concurrent-10"].Verdict);
    }
}

public class NginxStackTests(NginxFixture server, ITestOutputHelper output)
    : StackTests<NginxFixture>(server, output), IClassFixture<NginxFixture>
{
    protected override string Stack => "nginx";
    protected override string Profile => "nginx-defaults.yaml";

    protected override void AssertFindings(IReadOnlyDictionary<string, CaseResult> cases)
    {
        // client_max_body_size 1m: an ordinary original photo is refused with nginx's HTML 413. The
        // profile declares it, so it is the right refusal in the wrong format.
        var original = cases["wx.payload.original"];
        Assert.Equal(Verdict.NonStrict, original.Verdict);
        Assert.Contains("refused with 413, but as text/html, not JSON", original.Reason);
        Assert.Contains("<html>", original.Outcome.BodyExcerpt);
        // Small uploads pass through byte-exact, fetched back through nginx too.
        var small = cases["wx.payload.compressed-android"];
        Assert.Equal(Verdict.Pass, small.Verdict);
        Assert.Contains(small.Checks, c => c is { Name: "file.fetched", Ok: true, Checked: true });
        // nginx buffers the body, so an aborted upload never reaches the backend: nothing is kept,
        // and the backend's discard counter is rightly not held against it.
        var abort = cases["transport.abort.50"];
        Assert.Equal(Verdict.Pass, abort.Verdict);
        Assert.Contains(abort.Checks, c => c is { Name: "partial upload discarded", Checked: false });
        Assert.Contains(abort.Checks, c => c is { Name: "nothing stored", Ok: true, Checked: true });
    }
}
