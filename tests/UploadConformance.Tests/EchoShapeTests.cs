using UploadConformance.Targets;
using UploadConformance.Verification;
using Xunit.Abstractions;

namespace UploadConformance.Tests;

/// <summary>Profiles for the busboy test server's answers: its reference-like echo, with fields in
/// the shape the fixture chose.</summary>
internal static class EchoProfiles
{
    public static TargetProfile Busboy(Uri url, string extra = "") => ProfileLoader.Parse($"""
        field: images
        anyField: true
        success: {"{"} status: [200], json: ["$.code == 0"] {"}"}
        echo: {"{"} files: $.data.files, file: $.data, fields: $.data.fields, url: ~ {"}"}
        stats: ~
        health: /health
        {extra}
        """, "busboy.yaml", url);
}

public class MulterUtf8Tests(MulterUtf8Fixture multer, ITestOutputHelper output) : IClassFixture<MulterUtf8Fixture>
{
    [Fact]
    public async Task With_defParamCharset_utf8_multer_keeps_Chinese_names_and_fields_and_the_suite_says_so()
    {
        var profile = ProfileLoader.Load(Path.Combine(Repo.Root, "profiles", "multer-express.yaml"), multer.Url);
        var results = await Catalog.RunAsync(profile, multer.Uploader, multer.Http, output,
            "wx.filename.chinese", "wx.form.unicode-values", "wx.form.nested.brackets");
        Assert.All(results.Values, r => Assert.True(r.Verdict == Verdict.Pass, $"{r.Id}: {r.Reason}"));
        Assert.Contains(results["wx.form.unicode-values"].Checks, c =>
            c is { Name: "fields", Ok: true, Checked: true });
    }
}

public class ObjectEchoTests(BusboyObjectFixture busboy, ITestOutputHelper output) : IClassFixture<BusboyObjectFixture>
{
    [Fact]
    public async Task Fields_echoed_as_a_flat_object_are_checked_and_every_form_case_passes()
    {
        var results =
            await Catalog.RunAsync(EchoProfiles.Busboy(busboy.Url), busboy.Uploader, busboy.Http, output, "wx.form.*");
        Assert.True(results.Count >= 14);
        Assert.All(results.Values, r => Assert.True(r.Verdict == Verdict.Pass, $"{r.Id}: {r.Reason}"));
        Assert.All(results.Values, r =>
            Assert.Contains(r.Checks, c => c is { Name: "fields", Ok: true, Checked: true }));
    }
}

public class GarblingEchoTests(BusboyLatin1Fixture busboy,
    ITestOutputHelper output) : IClassFixture<BusboyLatin1Fixture>
{
    [Fact]
    public async Task A_server_that_garbles_non_ASCII_field_names_fails_with_the_name_it_garbled()
    {
        var results = await Catalog.RunAsync(EchoProfiles.Busboy(busboy.Url), busboy.Uploader, busboy.Http, output,
            "wx.form.unicode-values", "wx.form.flat");
        var garbled = results["wx.form.unicode-values"];
        Assert.Equal(Verdict.Fail, garbled.Verdict);
        Assert.StartsWith("fields.用户名: expected 用户名=", garbled.Reason);
        Assert.True(AnswerForensics.LooksLikeLatin1Mojibake(garbled.Checks.First(c => !c.Ok).Actual), garbled.Reason);
        Assert.Equal(Verdict.Pass, results["wx.form.flat"].Verdict);
    }
}

public class OneFileEndpointTests(OneFileRefusingFixture refusing, OneFileKeepingFixture keeping,
    ITestOutputHelper output)
    : IClassFixture<OneFileRefusingFixture>, IClassFixture<OneFileKeepingFixture>
{
    private const string Three = "wx.platform.uniapp-h5-several-files";

    [Fact]
    public async Task Refusing_a_second_file_passes_when_maxFiles_is_declared_and_says_which_key_to_set_when_not()
    {
        var declared =
            await Catalog.RunAsync(EchoProfiles.Busboy(refusing.Url, "limits: { maxFiles: 1 }"), refusing.Uploader,
            refusing.Http, output, Three);
        Assert.Equal(Verdict.Pass, declared[Three].Verdict);
        Assert.Contains("limits.maxFiles", declared[Three].Expectation);

        var undeclared =
            await Catalog.RunAsync(EchoProfiles.Busboy(refusing.Url), refusing.Uploader, refusing.Http, output, Three);
        // Three photos at once is what uni-app H5 sends: refused with nothing declared, users cannot upload.
        Assert.Equal(Verdict.Fail, undeclared[Three].Verdict);
        Assert.StartsWith(Grader.RefusedOrdinary, undeclared[Three].Reason);
        Assert.Contains("declare limits.maxFiles", undeclared[Three].Reason);
    }

    [Fact]
    public async Task Keeping_one_file_of_three_and_saying_200_is_a_silent_drop_declared_or_not()
    {
        var undeclared =
            await Catalog.RunAsync(EchoProfiles.Busboy(keeping.Url), keeping.Uploader, keeping.Http, output, Three);
        Assert.Equal(Verdict.Fail, undeclared[Three].Verdict);
        Assert.Equal("files: expected 3, got 1 — 2 of 3 files silently dropped", undeclared[Three].Reason);

        var declared =
            await Catalog.RunAsync(EchoProfiles.Busboy(keeping.Url, "limits: { maxFiles: 1 }"), keeping.Uploader,
            keeping.Http, output, Three);
        Assert.Equal(Verdict.Fail, declared[Three].Verdict);
        Assert.StartsWith("accepted 3 files where 1 are declared, over its declared limits.maxFiles",
            declared[Three].Reason);
    }
}

public class FetchTemplateTests(KeyAnswerFixture server, ITestOutputHelper output) : IClassFixture<KeyAnswerFixture>
{
    private static TargetProfile Profile(Uri url, string fetch) => ProfileLoader.Parse($"""
        field: images
        anyField: true
        success: {"{"} status: [200], json: ["$.code == 0"] {"}"}
        echo:
          files: ~
          file: $.data
          size: $.size
          sha256: ~
          url: ~
          filename: ~
          field: ~
          contentType: ~
          fields: ~
        fetch: "{fetch}"
        stats: ~
        health: /health
        """, "key.yaml", url);

    [Theory]
    [InlineData("/files/{sha256}")]
    [InlineData("/blob?key={$.data.key}")]
    [InlineData("/blob?key={$.key}")]
    public async Task A_file_named_by_a_key_is_fetched_back_through_the_profiles_template(string template)
    {
        var results =
            await Catalog.RunAsync(Profile(server.Url, template), server.Uploader, server.Http, output,
            "wx.payload.original", "wx.filename.chinese");
        foreach (var r in results.Values)
        {
            Assert.True(r.Verdict == Verdict.Pass, $"{r.Id}: {r.Reason}");
            Assert.Contains(r.Checks, c => c is { Name: "file.fetched", Ok: true, Checked: true });
        }
    }

    [Fact]
    public async Task A_template_that_finds_nothing_fails_the_fetch()
    {
        var results =
            await Catalog.RunAsync(Profile(server.Url, "/files/x{size}"), server.Uploader, server.Http, output,
            "wx.payload.original");
        Assert.Equal(Verdict.Fail, results["wx.payload.original"].Verdict);
        Assert.StartsWith("file.fetched: expected 200 with the stored bytes, got 404",
            results["wx.payload.original"].Reason);
    }

    [Fact]
    public void A_template_placeholder_that_is_neither_a_name_nor_a_JSON_path_is_a_profile_error_naming_its_line()
    {
        var e = Assert.Throws<ProfileException>(() => Profile(server.Url, "/files/{hash}"));
        Assert.Contains("key.yaml:14: fetch: '{hash}' is not a placeholder", e.Message);
    }
}
