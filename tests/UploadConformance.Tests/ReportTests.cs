using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;
using UploadConformance.Reporting;
using UploadConformance.Results;
using Server = UploadConformance.ReferenceServer.ReferenceServer;

namespace UploadConformance.Tests;

/// <summary>Two real runs shared by the report tests: a conformance run with a failing case against
/// a defective server, and a load run with a breached threshold.</summary>
public sealed class RunsFixture : IAsyncLifetime
{
    public string Failing { get; } =
        Path.Combine(Path.GetTempPath(), "uc-report-conform-" + Guid.NewGuid().ToString("N"));
    public string Load { get; } = Path.Combine(Path.GetTempPath(), "uc-report-load-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync()
    {
        await using (
            var broken =
            await Server.StartAsync(
            new ReferenceServer.ReferenceServerOptions { Defects = ReferenceServer.ServerDefects.Latin1Filenames }))
        {
            var code = await Cli.Cli.RunAsync(["conform", "--target", broken.UploadUrl.ToString(), "--case",
                "wx.filename.*,wx.form.unicode-values", "--out", Failing], new StringWriter(), new StringWriter(),
                CancellationToken.None);
            Assert.Equal(1, code);
        }
        var scenario = Failing + ".yaml";
        await File.WriteAllTextAsync(scenario, """
            name: report-test
            mix:
              - { name: 小图, image: compressed-android, weight: 3 }
              - { name: 慢网, image: compressed, rate: 3MB, weight: 1 }
            load:
              - iterationsForInject: { rate: 20, interval: 1s, iterations: 40 }
            thresholds:
              - error_rate < 1%
              - requests > 1000
            """);
        Assert.Equal(1,
            await Cli.Cli.RunAsync(["load", "--scenario", scenario, "--out", Load], new StringWriter(),
            new StringWriter(), CancellationToken.None));
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

public class ReportTests(RunsFixture runs) : IClassFixture<RunsFixture>
{
    [Fact]
    public void Another_scenario_is_named_and_never_judged_a_regression()
    {
        var baseline = ResultsFile.Read(runs.Load);
        var all = baseline.Load!.All;
        // The same run with a tenth of the rate and ten times the latency, under another scenario's name.
        var other = baseline with
        {
            Load = baseline.Load with
            {
                Scenario = "soak",
                All = all with { Rps = all.Rps / 10, Latency = all.Latency with { P99 = all.Latency.P99 * 10 } },
            },
        };
        var comparison = new Comparison([("A", baseline), ("B", other)], 10);
        Assert.False(comparison.HasRegression);
        Assert.Contains("B (B) ran scenario 'soak', not 'report-test'", comparison.RenderMarkdown());
        var slower = baseline with { Load = other.Load with { Scenario = baseline.Load.Scenario } };
        Assert.True(new Comparison([("A", baseline), ("B", slower)], 10).HasRegression);
    }

    [Fact]
    public void A_server_that_got_slower_after_the_last_byte_is_named_as_the_phase_that_regressed()
    {
        var baseline = ResultsFile.Read(runs.Load);
        var all = baseline.Load!.All;
        Assert.NotNull(all.Phases);
        var phases = all.Phases!;
        var slowerServer = baseline with
        {
            Load = baseline.Load with
            {
                All = all with
                {
                    Phases = phases with { Waiting = phases.Waiting with { P99 = phases.Waiting.P99 * 3 } },
                },
            },
        };
        var deltas = new Comparison([("A", baseline), ("B", slowerServer)], 10).LoadDeltas();
        Assert.True(deltas.Single(d => d.Metric == "waiting p99 ms").Regression);
        Assert.False(deltas.Single(d => d.Metric == "sending p99 ms").Regression);
        // A run from before phases were recorded is compared on the rest, without phase rows.
        var older = baseline with { Load = baseline.Load with { All = all with { Phases = null } } };
        Assert.DoesNotContain(new Comparison([("A", older), ("B", slowerServer)], 10).LoadDeltas(),
            d => d.Metric.StartsWith("waiting", StringComparison.Ordinal));
    }

    [Fact]
    public void A_failed_case_and_a_breached_threshold_are_both_JUnit_failures_in_valid_junit_xml()
    {
        var conform = Path.Combine(runs.Failing, "junit.xml");
        var load = Path.Combine(runs.Load, "junit.xml");
        Reports.ValidateJUnit(conform);
        Reports.ValidateJUnit(load);

        var failing =
            XDocument.Load(conform).Descendants("testcase").Single(t =>
            (string?)t.Attribute("name") == "wx.filename.chinese");
        Assert.Contains("file.filename: expected 报告-相册封面.jpg",
            (string?)failing.Element("failure")?.Attribute("message"));
        var passing =
            XDocument.Load(conform).Descendants("testcase").Single(t =>
            (string?)t.Attribute("name") == "wx.form.unicode-values");
        Assert.Null(passing.Element("failure"));

        var thresholds = XDocument.Load(load).Descendants("testcase").ToList();
        Assert.Null(thresholds.Single(t => (string?)t.Attribute("name") == "error_rate < 1%").Element("failure"));
        Assert.StartsWith("threshold breached: requests > 1000",
            (string?)thresholds.Single(t =>
            (string?)t.Attribute("name") == "requests > 1000").Element("failure")?.Attribute("message"));
        Assert.Equal("1", (string?)XDocument.Load(load).Root!.Attribute("failures"));
    }

    [Fact]
    public void Every_run_writes_the_whole_report_set_and_the_CSVs_hold_every_row()
    {
        foreach (var file in new[] { "results.json", "summary.md", "junit.xml", "index.html", "cases.csv" })
            Assert.True(File.Exists(Path.Combine(runs.Failing, file)), file);
        foreach (var file in new[] { "results.json", "summary.md", "junit.xml", "index.html", "series.csv" })
            Assert.True(File.Exists(Path.Combine(runs.Load, file)), file);
        var results = ResultsFile.Read(runs.Load);
        var rows = File.ReadAllLines(Path.Combine(runs.Load, "series.csv"));
        Assert.Equal(results.Load!.Series.Count + 1, rows.Length);
        Assert.Equal(40, rows.Skip(1).Sum(r => long.Parse(r.Split(',')[1])));
        Assert.Equal(ResultsFile.Read(runs.Failing).Cases.Count + 1,
            File.ReadAllLines(Path.Combine(runs.Failing, "cases.csv")).Length);
    }

    [Fact]
    public async Task The_HTML_report_opens_from_disk_in_Chromium_without_errors_and_draws_its_charts()
    {
        await Browser.EnsureInstalledAsync();
        var page = new Uri(Path.Combine(runs.Load, "index.html")).AbsoluteUri;
        var (dom, log) = await Browser.RunAsync("--dump-dom", page);
        Assert.DoesNotContain("Uncaught", log);
        Assert.DoesNotContain(":ERROR:CONSOLE", log);
        var paths =
            System.Text.RegularExpressions.Regex.Matches(dom,
            "<path class=\"line\" d=\"M[0-9.]+,[0-9.]+( L[0-9.]+,[0-9.]+)+\"");
        Assert.True(paths.Count >= 10, $"{paths.Count} chart lines drawn");
        Assert.Contains("Service time over time", dom);
        Assert.Contains("小图", dom);

        var screenshot = Path.Combine(runs.Load, "screenshot.png");
        await Browser.RunAsync($"--screenshot={screenshot}", "--window-size=1280,1600", page);
        Assert.True(new FileInfo(screenshot).Length > 20_000, "the screenshot is blank");

        var conform = new Uri(Path.Combine(runs.Failing, "index.html")).AbsoluteUri;
        var (conformDom, conformLog) = await Browser.RunAsync("--dump-dom", conform);
        Assert.DoesNotContain("Uncaught", conformLog);
        Assert.Contains("报告-相册封面.jpg", conformDom);
        Assert.Contains("<details>", conformDom);
    }

    [Fact]
    public async Task The_load_report_shows_where_the_time_went_per_name_and_fits_a_phone_without_overflow()
    {
        await Browser.EnsureInstalledAsync();
        // The report itself, with one script appended that writes what the browser laid out into the DOM.
        var probe = Path.Combine(runs.Load, "probe.html");
        await File.WriteAllTextAsync(probe, (await File.ReadAllTextAsync(Path.Combine(runs.Load, "index.html")))
            .Replace("</body>", "<script>document.body.dataset.overflow = "
                + "document.documentElement.scrollWidth > window.innerWidth; document.body.dataset.thWrap = "
                + "getComputedStyle(document.querySelector('th')).overflowWrap;</script></body>"));
        var (dom, log) = await Browser.RunAsync("--dump-dom", "--window-size=390,844", new Uri(probe).AbsoluteUri);
        Assert.DoesNotContain("Uncaught", log);
        Assert.Contains("data-overflow=\"false\"", dom);
        // Headers break between words, never inside one ("verdic t").
        Assert.Contains("data-th-wrap=\"normal\"", dom);
        foreach (var chart in new[] { "Where the time went", "Response times by range: all",
            "Response-time distribution: all", "Upload bandwidth: all", "Request name: 慢网", "Where the time went: 小图" })
            Assert.Contains(chart, dom);
        // Bars are drawn: the stacked phases and the distributions.
        Assert.True(System.Text.RegularExpressions.Regex.Matches(dom, "<rect class=\"bar\"").Count >= 20);
        var report = new Uri(Path.Combine(runs.Load, "index.html")).AbsoluteUri;
        var shot = Path.Combine(runs.Load, "phone.png");
        await Browser.RunAsync($"--screenshot={shot}", "--window-size=390,3000", report);
        Assert.True(new FileInfo(shot).Length > 20_000, "the phone screenshot is blank");
        // README's picture of the report is this run's, taken again with UPDATE_DOCS=1.
        var readmeShot = Path.Combine(Repo.Root, "docs", "report-where-the-time-goes.png");
        if (Environment.GetEnvironmentVariable("UPDATE_DOCS") == "1")
            await Browser.RunAsync($"--screenshot={readmeShot}", "--window-size=1280,3200", report);
        Assert.True(new FileInfo(readmeShot).Length > 100_000,
            "docs/report-where-the-time-goes.png is missing");
    }

    [Fact]
    public void A_report_of_an_hour_long_run_stays_under_5_MB()
    {
        var document = ResultsFile.Read(runs.Load);
        var load = document.Load!;
        var second = load.Series[0];
        var hour = Enumerable.Range(0, 3600).Select(i =>
            second with { Second = i, P99Ms = 10 + i % 97, Histogram = load.All.LatencyHistogram }).ToList();
        var html = new HtmlReport().Render(
            document with { Load = load with { Series = hour, DurationMs = 3_600_000 } });
        Assert.True(html.Length < 5_000_000, $"{html.Length} characters");
        File.WriteAllText(Path.Combine(Path.GetTempPath(), "uc-hour-report.html"), html);
        Assert.Contains("Latency over time", html);
    }

    [Fact]
    public async Task Report_rebuilds_a_run_and_compares_runs_flagging_a_regression()
    {
        var rebuilt = Path.Combine(Path.GetTempPath(), "uc-rebuilt-" + Guid.NewGuid().ToString("N"));
        var stdout = new StringWriter();
        Assert.Equal(0,
            await Cli.Cli.RunAsync(["report", runs.Failing, "--out", rebuilt], stdout, new StringWriter(),
            CancellationToken.None));
        Assert.Equal(File.ReadAllText(Path.Combine(runs.Failing, "junit.xml")),
            File.ReadAllText(Path.Combine(rebuilt, "junit.xml")));

        // A candidate whose p99 tripled and whose throughput halved against the baseline.
        var candidate = Path.Combine(Path.GetTempPath(), "uc-candidate-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(candidate);
        var json = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(runs.Load, "results.json")))!;
        var all = json["load"]!["all"]!;
        all["latency"]!["p99"] = all["latency"]!["p99"]!.GetValue<double>() * 3 + 1;
        all["rps"] = all["rps"]!.GetValue<double>() / 2;
        await File.WriteAllTextAsync(Path.Combine(candidate, "results.json"), json.ToJsonString());

        var compare = Path.Combine(Path.GetTempPath(), "uc-compare-" + Guid.NewGuid().ToString("N"));
        var output = new StringWriter();
        Assert.Equal(1,
            await Cli.Cli.RunAsync(
            ["report", runs.Load, candidate, runs.Failing, "--out", compare, "--fail-on-regression"], output,
            new StringWriter(), CancellationToken.None));
        Assert.Contains("regression", output.ToString());
        Assert.Contains("p99 ms", output.ToString());
        Assert.Contains("wx.filename.chinese", await File.ReadAllTextAsync(Path.Combine(compare, "index.html")));
        Assert.Equal(0,
            await Cli.Cli.RunAsync(["report", runs.Load, candidate, "--out", compare, "--tolerance", "1000%",
            "--fail-on-regression"], new StringWriter(), new StringWriter(), CancellationToken.None));
    }

    [Fact]
    public async Task Report_on_an_old_or_corrupt_results_file_is_one_line_and_exit_code_2()
    {
        var dir = Path.Combine(Path.GetTempPath(), "uc-old-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "results.json"),
            "{\"schema\":\"upload-conformance/results\",\"version\":0}");
        var err = new StringWriter();
        Assert.Equal(2, await Cli.Cli.RunAsync(["report", dir], new StringWriter(), err, CancellationToken.None));
        Assert.Contains("results schema version 0; this build reads version 1", err.ToString());
        Assert.Single(err.ToString().TrimEnd().Split('\n'));
        await File.WriteAllTextAsync(Path.Combine(dir, "results.json"), "{ not json");
        err = new StringWriter();
        Assert.Equal(2, await Cli.Cli.RunAsync(["report", dir], new StringWriter(), err, CancellationToken.None));
        Assert.Contains("not valid JSON", err.ToString());
    }
}

/// <summary>Checks on written reports that several test classes make.</summary>
public static class Reports
{
    /// <summary>junit.xml against docs/junit.xsd, the schema CI servers read it by.</summary>
    public static void ValidateJUnit(string junitPath)
    {
        var schemas = new XmlSchemaSet();
        schemas.Add(null, Path.Combine(Repo.Root, "docs", "junit.xsd"));
        var errors = new List<string>();
        XDocument.Load(junitPath).Validate(schemas, (_, e) => errors.Add(e.Message));
        Assert.Empty(errors);
    }
}

/// <summary>Debian's Chromium, headless, as the environment notes describe; installed when missing
/// (<see cref="Prerequisites"/>), with a CJK font so Chinese renders.</summary>
public static class Browser
{
    private const string Path_ = "/usr/bin/chromium";

    public static Task EnsureInstalledAsync() => Prerequisites.ChromiumAsync();

    public static async Task<(string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var profile =
            System.IO.Path.Combine(System.IO.Path.GetTempPath(), "uc-chromium-" + Guid.NewGuid().ToString("N"));
        var start =
            new ProcessStartInfo(Path_) { RedirectStandardOutput = true, RedirectStandardError = true,
            UseShellExecute = false };
        foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--enable-logging=stderr",
                     $"--user-data-dir={profile}" }.Concat(args))
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(bound.Token);
        try { Directory.Delete(profile, true); } catch (IOException) { }
        return (await stdout, await stderr);
    }
}
