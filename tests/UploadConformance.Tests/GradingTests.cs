using System.Text.Json.Nodes;
using UploadConformance.Payloads;
using UploadConformance.Reporting;
using UploadConformance.Results;
using UploadConformance.Suites.Catalog;
using UploadConformance.Targets;
using UploadConformance.Verification;
using UploadConformance.Wire;
using Server = UploadConformance.ReferenceServer.ReferenceServer;

namespace UploadConformance.Tests;

/// <summary>The catalog graded against what a profile declares, before the run and after it.</summary>
public class GradingTests
{
    private static string TempDir() => Path.Combine(Path.GetTempPath(), "uc-grading-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_URL_that_is_not_an_upload_endpoint_stops_before_the_catalog_with_one_line_and_exit_2()
    {
        await using var server = await Server.StartAsync(new ReferenceServer.ReferenceServerOptions());
        var stderr = new StringWriter();
        var code = await Cli.Cli.RunAsync(
            ["conform", "--target", new Uri(server.BaseUrl, "/no/such/path").ToString(), "--out", TempDir()],
            new StringWriter(), stderr, CancellationToken.None);
        Assert.Equal(2, code);
        Assert.Contains("was answered 404: the URL does not look like an upload endpoint", stderr.ToString());
        Assert.Single(stderr.ToString().TrimEnd().Split('\n'));
        Assert.Equal(0, server.Store.Snapshot().Requests); // the probe went to the wrong path, and no catalog followed
    }

    [Fact]
    public async Task An_HTTP_1_1_run_against_an_h2c_only_server_suggests_http_2()
    {
        await using var server = await Server.StartAsync(new ReferenceServer.ReferenceServerOptions { H2c = true });
        var stderr = new StringWriter();
        var code = await Cli.Cli.RunAsync(["conform", "--target", server.UploadUrl.ToString(), "--out", TempDir()],
            new StringWriter(), stderr, CancellationToken.None);
        Assert.Equal(2, code);
        Assert.Contains("try --http 2", stderr.ToString());
    }

    [Theory]
    [InlineData(1024L)]
    [InlineData(10L)]
    public async Task The_limits_suite_works_for_any_declared_file_size(long maxFile)
    {
        await using var server =
            await Server.StartAsync(
            new ReferenceServer.ReferenceServerOptions { FileField = "*", MaxFileBytes = maxFile,
            MaxRequestBytes = 64L << 20 });
        var profile = TargetProfile.Reference(server.UploadUrl, anyField: true, maxFileBytes: maxFile);
        using var http = new HttpClient(Uploader.CreateHandler());
        using var uploader = new Uploader();
        var runner = new CaseRunner(uploader, http, profile);
        var cases =
            ConformanceCatalog.Select(new CatalogContext(profile, 1, ImageFactory.Default()), "limits",
            "limits.file.*");
        foreach (var @case in cases)
        {
            var result = await runner.RunAsync(@case, CancellationToken.None);
            Assert.True(result.Verdict == Verdict.Pass, $"{result.Id} with {maxFile} bytes declared: {result.Reason}");
        }
        // An ordinary photo is over such a limit too: the same rule expects a 413 for it.
        var photo =
            await runner.RunAsync(
            ConformanceCatalog.Select(new CatalogContext(profile, 1, ImageFactory.Default()), null,
            "wx.payload.original")[0],
            CancellationToken.None);
        Assert.Equal(Verdict.Pass, photo.Verdict);
        Assert.StartsWith("over the declared limits.maxFileBytes", photo.Expectation);
    }

    [Fact]
    public void An_announced_oversized_body_is_only_a_case_when_a_size_limit_is_declared()
    {
        static UploadCase? Oversized(DeclaredLimits limits) => ConformanceCatalog.Select(
            new CatalogContext(TargetProfile.Reference(new Uri("http://127.0.0.1:1/upload")) with { Limits = limits },
                1, ImageFactory.Default()), "transport", null)
            .SingleOrDefault(c => c.Id == "transport.expect-100-continue.oversized");
        // Nothing declared: nothing the length is over (limits.file.large holds such an endpoint to storing).
        Assert.Null(Oversized(new DeclaredLimits()));
        // Twice the declared body limit, plus 16 MiB, whichever limit is the declared one.
        Assert.Contains($"announcing {2 * (1 << 20) + (16 << 20)} bytes",
            Oversized(new DeclaredLimits { MaxRequestBytes = 1 << 20 })!.Description);
        Assert.Contains($"announcing {2 * (8L << 20) + (16 << 20)} bytes",
            Oversized(new DeclaredLimits { MaxFileBytes = 8L << 20 })!.Description);
    }

    [Fact]
    public async Task A_verdict_worse_than_in_the_first_run_is_a_regression_shown_first_and_exit_1()
    {
        var good = TempDir();
        var bad = TempDir();
        Assert.Equal(0,
            await Cli.Cli.RunAsync(["conform", "--suite", "answers", "--out", good], new StringWriter(),
            new StringWriter(), CancellationToken.None));
        // The same run with one verdict made worse, as a deploy that broke JSON answers would.
        var json = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(good, "results.json")))!;
        Directory.CreateDirectory(bad);
        json["cases"]![0]!["verdict"] = "fail";
        json["cases"]![0]!["reason"] = "broken on purpose";
        await File.WriteAllTextAsync(Path.Combine(bad, "results.json"), json.ToJsonString());

        var output = new StringWriter();
        var compared = TempDir();
        Assert.Equal(1,
            await Cli.Cli.RunAsync(["report", good, bad, "--out", compared, "--fail-on-regression"], output,
            new StringWriter(), CancellationToken.None));
        // matrix.md: every case × every run, totals first (what docs/stacks.md is generated from).
        var matrix = (await File.ReadAllLinesAsync(Path.Combine(compared, Comparison.MatrixName))).ToList();
        Assert.Equal($"| case | {Path.GetFileName(good)} | {Path.GetFileName(bad)} |", matrix[0]);
        var count = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(good, "results.json")))!["cases"]!
            .AsArray().Count;
        Assert.Equal(3 + count, matrix.Count);
        Assert.Equal($"| *pass / non-strict / fail / informational* | {count} / 0 / 0 / 0 | {count} / 0 / 0 / 0 |",
            matrix[2]);
        Assert.Contains("| `answers.json-utf8` | pass | **fail** |", matrix);
        var lines = output.ToString().Split('\n');
        var regression = Array.FindIndex(lines, l => l.Contains("regression in", StringComparison.Ordinal));
        var differ = Array.FindIndex(lines, l => l.Contains("cases differ", StringComparison.Ordinal));
        Assert.True(regression >= 0 && regression < differ, output.ToString());
        Assert.Contains("`answers.json-utf8` pass → fail (broken on purpose)", lines[regression]);
        Assert.Equal(0,
            await Cli.Cli.RunAsync(["report", bad, good, "--out", TempDir(), "--fail-on-regression"],
            new StringWriter(), new StringWriter(), CancellationToken.None));
    }

    [Fact]
    public void Failures_of_one_kind_are_one_cause_with_its_cases_and_a_hint()
    {
        CaseResult Refused(string id, string field) => new()
        {
            Id = id,
            Suite = "wx",
            Description = id,
            Verdict = Verdict.NonStrict,
            Reason = $"refused a well-formed upload with 403: forbidden for {field}",
            Request = new RequestSummary("POST", "http://x/", "wechat", field, [], null, 0, null, null, 0, null, null,
            null),
            Outcome = new OutcomeSummary("uploadFile:ok", FailureKind.None, 403, 1, 0, 0,
            $"{{\"error\":\"csrf token missing\",\"field\":\"{field}\",\"id\":\"a1b2c3d4e5f6\"}}", null),
            Checks = [new Check("status", false, "200", "403")],
        };
        var results =
            Enumerable.Range(0, 9).Select(i =>
            Refused($"wx.name.n{i}", $"field{i}")).Append(Refused("wx.payload.x", "images") with
        {
            Verdict = Verdict.Fail,
            Outcome = new OutcomeSummary("uploadFile:ok", FailureKind.None, 500, 1, 0, 0, "oops", null),
        }).ToList();
        var (causes, numbered) = Causes.Group(results);
        Assert.Equal(2, causes.Count);
        Assert.Equal(9, causes[0].Cases.Count);
        Assert.Contains("CSRF or Referer guard", causes[0].Hint);
        Assert.All(numbered, r => Assert.NotNull(r.Cause));
        var document =
            ResultsDocument.For(
            new RunInfo { Id = "t", Verb = "conform", StartedAt = DateTimeOffset.Now,
            Target = new TargetInfo("http://x/", false) },
            results, null);
        Assert.Equal(2, document.Summary.Causes);
        Assert.Contains("1 fail from 1 cause, 9 non-strict from 1", SummaryMarkdown.Render(document));
        Assert.Contains("CSRF or Referer guard", new HtmlReport().Render(document));
        Assert.Contains("1 fail from 1 cause, 9 non-strict from 1 cause:",
            string.Join('\n', ConsoleSummary.Causes(document)));
    }
}

/// <summary>The fields check: a field renamed by PHP's documented rule loses nothing (non-strict);
/// one lost to a collision or garbled fails.</summary>
public class FieldsEchoTests
{
    private static Check Compare(string json, params (string Name, string Value)[] sent)
    {
        using var echo = System.Text.Json.JsonDocument.Parse(json);
        return FieldsEcho.Compare(sent, echo.RootElement, dotsDecode: false);
    }

    [Fact]
    public void Dots_and_spaces_turned_into_underscores_are_a_harmless_rename_graded_non_strict()
    {
        var check = Compare("""{"location_lat": "18.2", "my_name": "x", "tags": ["a"]}""",
            ("location.lat", "18.2"), ("my name", "x"), ("tags[]", "a"));
        Assert.False(check.Ok);
        Assert.True(check.Harmless);
        Assert.Contains("location.lat → location_lat", check.Actual);
        Assert.Contains("my name → my_name", check.Actual);
        var grade = Grade.From([new Check("status", true), check], Severity.Hard);
        Assert.Equal(Verdict.NonStrict, grade.Verdict);
        Assert.StartsWith("stored everything, renamed: location.lat → location_lat", grade.Reason);
    }

    [Fact]
    public void Two_names_renamed_onto_one_lose_a_value_and_fail()
    {
        // PHP keeps the last of a.b and a_b under a_b: the value of a.b is gone.
        var check = Compare("""{"a_b": "2"}""", ("a.b", "1"), ("a_b", "2"));
        Assert.False(check.Ok);
        Assert.False(check.Harmless);
        Assert.Equal(Verdict.Fail, Grade.From([check], Severity.Hard).Verdict);
    }

    [Fact]
    public void A_name_found_as_sent_is_not_a_rename_and_a_garbled_one_still_fails()
    {
        Assert.True(Compare("""{"a.b": "1"}""", ("a.b", "1")).Ok);
        var garbled = Compare("""{"ç¨æ·å": "思聪"}""", ("用户名", "思聪"));
        Assert.True(garbled.Differs);
        Assert.Contains("the value under", garbled.Actual);
    }
}
