using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using UploadConformance.Load;
using UploadConformance.Payloads;
using UploadConformance.Results;
using UploadConformance.Scenarios;
using UploadConformance.Targets;
using Server = UploadConformance.ReferenceServer.ReferenceServer;

namespace UploadConformance.Tests;

public class LoadTests
{
    private static Scenario Parse(string yaml) => ScenarioLoader.Parse(yaml, "test.yaml");

    [Fact]
    public async Task Thousands_of_copies_against_a_target_failing_every_upload_at_once_end_with_results()
    {
        await using var resetting = new HostileServer(Hostility.Resetting);
        var scenario = Path.Combine(Path.GetTempPath(), $"uc-spin-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(scenario, "maxInFlight: 2000\nmix:\n  - { name: s, bytes: 2000 }\n"
            + "load:\n  - keepConstant: { copies: 2000, during: 4s }\nthresholds:\n  - error_rate < 1%\n");
        var dir = Path.Combine(Path.GetTempPath(), $"uc-spin-{Guid.NewGuid():N}");
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var code = await Cli.Cli.RunAsync(["load", "--scenario", scenario, "--target", resetting.Url.ToString(),
            "--out", dir], stdout, stderr, CancellationToken.None);
        Assert.True(code == 1, $"exit {code}: {stderr}");
        var results = ResultsFile.Read(dir).Load!;
        Assert.True(results.All.Failed > 2000, $"{results.All.Failed} failed");
        Assert.Equal(results.All.Requests, results.All.Failed);
        Assert.False(results.Thresholds.Single().Passed);
    }

    [Fact]
    public void A_run_that_could_outgrow_the_open_file_limit_is_refused_with_the_number_to_raise_it_to()
    {
        Assert.Null(OpenFileLimit.Problem(10_000, 20_000));
        Assert.Null(OpenFileLimit.Problem(10_000, null));
        Assert.Equal("this run may hold 10000 sockets at once, and this machine's open-file limit is 1024: raise "
            + "it to 10128 or more (ulimit -n 10128), or lower the scenario's connections or maxInFlight",
            OpenFileLimit.Problem(10_000, 1024));
        var scenario = Parse("maxInFlight: 3000\nconnections: 5000\nmix:\n  - { name: s, bytes: 2000 }\n"
            + "load:\n  - keepConstant: { copies: 10, during: 1s }\n");
        var profile = TargetProfile.Reference(new Uri("http://127.0.0.1:1/image"));
        using var engine = new LoadEngine(scenario, profile, new RequestMix(scenario, profile, ImageFactory.Default()));
        // In flight bounds the sockets below the connections: 3,000 uploads hold at most 3,000.
        Assert.Equal(3000, engine.MaxSockets);
        Assert.True(OpenFileLimit.Current() is null or > 0);
    }

    [Fact]
    public async Task Requests_and_bytes_counted_by_the_engine_equal_what_the_server_counted()
    {
        await using var server = await Server.StartAsync(new ReferenceServer.ReferenceServerOptions());
        var scenario = Parse("""
            mix:
              - { name: photo, image: compressed-android, weight: 2 }
              - { name: blob, bytes: 70000, weight: 1, framing: chunked }
            load:
              - iterationsForConstant: { copies: 3, iterations: 40 }
            """);
        var profile = TargetProfile.Reference(server.UploadUrl);
        using var engine = new LoadEngine(scenario, profile, new RequestMix(scenario, profile, ImageFactory.Default()));
        var before = server.Store.Snapshot();
        var outcome = await engine.RunAsync(null, CancellationToken.None);
        var after = server.Store.Snapshot();

        Assert.Equal(40, outcome.All.Requests);
        Assert.Equal(40, outcome.All.Ok);
        Assert.Equal(after.Requests - before.Requests, outcome.All.Requests);
        Assert.Equal(after.FilesStored - before.FilesStored, outcome.All.Ok);
        Assert.Equal(after.BytesStored - before.BytesStored, outcome.All.FileBytes);
        Assert.Equal(outcome.All.Requests, outcome.ByName.Values.Sum(n => n.Requests));
        Assert.True(outcome.ByName["photo"].Requests > 0 && outcome.ByName["blob"].Requests > 0);
        Assert.Empty(outcome.All.FailedChecks);
        // Photos went through the lean HTTP/1.1 client and chunked blobs through HttpClient: both count alike.
        Assert.Equal(outcome.ByName["photo"].Requests, outcome.SentByLeanClient);
        Assert.Equal(outcome.ByName["blob"].Requests, outcome.SentByHttpClient);
        Assert.True(outcome.Connections is >= 1 and <= 6,
            $"{outcome.Connections} connections for 3 copies on two clients");
    }

    [Fact]
    public async Task Per_second_histograms_in_results_merge_exactly_into_the_totals()
    {
        var dir = Path.Combine(Path.GetTempPath(), "uc-load-" + Guid.NewGuid().ToString("N"));
        var scenario = Path.Combine(Path.GetTempPath(), "uc-scenario-" + Guid.NewGuid().ToString("N") + ".yaml");
        await File.WriteAllTextAsync(scenario, """
            mix:
              - { name: small, bytes: 5000 }
            load:
              - iterationsForInject: { rate: 40, interval: 1s, iterations: 60 }
            thresholds:
              - requests == 60
              - requests > 1000
            """);
        var stdout = new StringWriter();
        var code = await Cli.Cli.RunAsync(["load", "--scenario", scenario, "--out", dir], stdout, new StringWriter(),
            CancellationToken.None);
        Assert.True(code == 1, stdout.ToString());
        var results = ResultsFile.Read(dir).Load!;
        Assert.Equal([true, false], results.Thresholds.Select(t => t.Passed));
        Assert.Contains("FAIL  requests > 1000", stdout.ToString());

        var merged = NameStats.NewHistogram();
        foreach (var second in results.Series) merged.Add(HistogramCodec.Decode(second.Histogram));
        Assert.Equal(60, merged.TotalCount);
        Assert.Equal(results.Series.Sum(s => s.Requests), merged.TotalCount);
        var total = HistogramCodec.Decode(results.All.LatencyHistogram);
        Assert.Equal(total.TotalCount, merged.TotalCount);
        Assert.Equal(total.GetValueAtPercentile(99), merged.GetValueAtPercentile(99));
    }

    [Fact]
    public async Task Ctrl_C_mid_run_writes_what_was_gathered_and_exits_130()
    {
        var dir = Path.Combine(Path.GetTempPath(), "uc-load-" + Guid.NewGuid().ToString("N"));
        using var interrupt = new CancellationTokenSource();
        var stdout = new CancelOnProgress(interrupt);
        var code = await Cli.Cli.RunAsync(
            ["load", "--scenario", Path.Combine(Repo.Root, "scenarios", "smoke.yaml"), "--out", dir], stdout,
            new StringWriter(), interrupt.Token);
        Assert.Equal(130, code);
        var results = ResultsFile.Read(dir);
        Assert.Equal("interrupted by Ctrl-C", results.Run.Interrupted);
        Assert.True(results.Load!.All.Requests > 0);
        Assert.True(results.Load.DurationMs < 9000, $"{results.Load.DurationMs} ms: the run did not stop");
    }

    /// <summary>Presses "Ctrl-C" when the second progress line appears.</summary>
    private sealed class CancelOnProgress(CancellationTokenSource interrupt) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value?.Contains("[   2s", StringComparison.Ordinal) == true) interrupt.Cancel();
        }
    }

    [Fact]
    public void Statistics_with_nothing_finished_yet_or_only_drops_read_as_zero_not_as_an_exception()
    {
        var stats = new LoadStats();
        Assert.Equal(0, stats.Snapshot().P99Ms);
        stats.RecordDropped("big", TimeSpan.FromSeconds(0.5));
        var (all, byName, series) = stats.Finish();
        Assert.Equal(1, all.Dropped);
        Assert.Equal(1, byName["big"].Dropped);
        var second = Assert.Single(series);
        Assert.Equal((0L, 1L, 0.0), (second.Requests, second.Dropped, second.MaxMs));
        Assert.Equal(0, ThresholdMetric.Find("p99")!.Read(all, TimeSpan.FromSeconds(1)));
        Assert.Equal(0,
            LoadResults.Of(ScenarioLoader.Parse("mix:\n  - { name: big, bytes: 1 }\nload:\n  - pause: 1s\n", "t.yaml"),
            new LoadOutcome(all, byName, series, TimeSpan.FromSeconds(1), [], null, false)).All.Latency.P99);
    }

    [Fact]
    public async Task A_shape_can_send_a_users_own_file_as_it_is()
    {
        var file = Path.GetTempFileName();
        await File.WriteAllBytesAsync(file, [.. Enumerable.Range(0, 5000).Select(i => (byte)(i * 7))]);
        await using var server = await Server.StartAsync(new ReferenceServer.ReferenceServerOptions());
        var scenario =
            Parse($"mix:\n  - {{ name: mine, file: {file}, contentType: image/png }}\nload:\n  - "
            + $"iterationsForConstant: {{ copies: 1, iterations: 3 }}\n");
        var profile = TargetProfile.Reference(server.UploadUrl);
        var mix = new RequestMix(scenario, profile, ImageFactory.Default());
        Assert.Equal("image/png", mix.Pick(0).Burst[0].Request.File.ContentType);
        using var engine = new LoadEngine(scenario, profile, mix);
        var outcome = await engine.RunAsync(null, CancellationToken.None);
        Assert.Equal(3, outcome.All.Ok);
        Assert.Empty(outcome.All.FailedChecks);
        Assert.Equal(3 * 5000, server.Store.Snapshot().BytesStored);
        Assert.StartsWith("test.yaml:2: no file",
            Assert.Throws<ProfileException>(() =>
            Parse("mix:\n  - { name: gone, file: /nonexistent.jpg }\nload:\n  - pause: 1s\n")).Message);
    }

    /// <summary>scenarios/burst-of-nine.yaml, written in C#.</summary>
    public static Scenario BurstOfNineInCSharp() => new()
    {
        Name = "burst-of-nine",
        Seed = 1,
        Mix = [new RequestShape { Name = "nine-photos", Image = "compressed", Burst = 9, FormData = "chinese" }],
        Load = [new LoadSimulation.Inject(Rate: 2, Interval: TimeSpan.FromSeconds(1), Span: TimeSpan.FromSeconds(20))],
        Thresholds = [Threshold.Parse("error_rate < 1%"), Threshold.Parse("p95 < 2s")],
    };

    [Fact]
    public async Task A_scenario_written_in_CSharp_is_the_same_as_its_YAML_and_runs_alike()
    {
        var yaml = ScenarioLoader.Load(Path.Combine(Repo.Root, "scenarios", "burst-of-nine.yaml"));
        var code = BurstOfNineInCSharp();
        Assert.Equal(yaml.Mix, code.Mix);
        Assert.Equal(yaml.Load, code.Load);
        Assert.Equal(yaml.Thresholds, code.Thresholds);
        Assert.Equal((yaml.Name, yaml.Seed, yaml.MaxInFlight, yaml.CheckFraction),
            (code.Name, code.Seed, code.MaxInFlight, code.CheckFraction));

        await using var server = await Server.StartAsync(new ReferenceServer.ReferenceServerOptions());
        var profile = TargetProfile.Reference(server.UploadUrl);
        async Task<string[]> Run(Scenario scenario)
        {
            scenario = scenario with { Load = [new LoadSimulation.IterationsForInject(Rate: 20,
                Interval: TimeSpan.FromSeconds(1), Iterations: 2)] };
            var mix = new RequestMix(scenario, profile, ImageFactory.Default());
            using var engine = new LoadEngine(scenario, profile, mix);
            var outcome = await engine.RunAsync(null, CancellationToken.None);
            Assert.Equal(18, outcome.All.Ok);
            // The same seed gives the same requests, to the byte.
            return await Task.WhenAll(Enumerable.Range(0, 2).SelectMany(i => mix.Pick(i).Burst)
                .Select(async plan =>
                    Convert.ToHexString(
                    System.Security.Cryptography.SHA256.HashData(await plan.BuildBody().ToArrayAsync()))));
        }
        Assert.Equal(await Run(yaml), await Run(code));
    }

    [Theory]
    [InlineData("burst", "burst of 12")]
    [InlineData("mixed", "'keepConstant' is a closed simulation after open ones")]
    [InlineData("scope", "scoped to 'thumbnails'")]
    [InlineData("image", "no image 'huge'")]
    [InlineData("range", "minRate 9 and maxRate 3")]
    public void A_scenario_built_in_CSharp_meets_the_loaders_rules_before_it_sends(string broken, string expected)
    {
        var good = BurstOfNineInCSharp();
        var shape = good.Mix[0];
        var scenario = broken switch
        {
            "burst" => good with { Mix = [shape with { Burst = 12 }] },
            "mixed" => good with { Load = [.. good.Load, new LoadSimulation.KeepConstant(2, TimeSpan.FromSeconds(1))] },
            "scope" => good with { Thresholds = [Threshold.Parse("thumbnails: p95 < 1s")] },
            "image" => good with { Mix = [shape with { Image = "huge" }] },
            _ => good with { Load = [new LoadSimulation.InjectRandom(9, 3, TimeSpan.FromSeconds(1),
            TimeSpan.FromSeconds(5))] },
        };
        var profile = TargetProfile.Reference(new Uri("http://127.0.0.1:9/upload"));
        var error = Assert.Throws<ProfileException>(() => new RequestMix(scenario, profile, ImageFactory.Default()));
        Assert.Contains(expected, error.Message);
        Assert.StartsWith("scenario 'burst-of-nine': ", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Same(good, good.Validate());
    }

    [Fact]
    public void Every_shipped_scenario_loads()
    {
        var files = Directory.GetFiles(Path.Combine(Repo.Root, "scenarios"), "*.yaml");
        Assert.True(files.Length >= 6);
        foreach (var file in files) Assert.NotEmpty(ScenarioLoader.Load(file).Mix);
        Assert.Contains(files, f => f.EndsWith("abort-storm.yaml", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("mix:\n  - { name: a, bytes: 10 }\nload:\n  - inject: { rate: 1, interval: 1s, during: 1s }\n  - "
        + "keepConstant: { copies: 1, during: 1s }\n",
        "test.yaml:5: 'keepConstant' is a closed simulation after open ones")]
    [InlineData("mix:\n  - { name: a, bytes: 10 }\nload:\n  - inject: { rate: 1, interval: 1s, during: 1s "
        + "}\nthresholds:\n  - p99.5 < 1s\n", "test.yaml:6: threshold 'p99.5 < 1s': unknown metric 'p99.5'")]
    [InlineData("mix:\n  - { name: a, bytes: 10 }\nload:\n  - inject: { rate: 1, interval: 1s, during: 1s "
        + "}\nthresholds:\n  - b: p99 < 1s\n",
        "test.yaml:6: threshold 'b: p99 < 1s' is scoped to 'b', which is not a request name")]
    [InlineData("mix:\n  - { name: a, bytes: 10 }\nload:\n  - injekt: { rate: 1, interval: 1s, during: 1s }\n",
        "test.yaml:4: no load simulation 'injekt'")]
    [InlineData("mix:\n  - { name: a, image: huge }\nload:\n  - pause: 1s\n",
        "test.yaml:2: request shape 'a' has no image 'huge'")]
    [InlineData("mix:\n  - { name: a, bytes: 10, burst: 12 }\nload:\n  - pause: 1s\n",
        "test.yaml:2: request shape 'a' has a burst of 12")]
    [InlineData("mix:\n  - { name: a, bytes: 10 }\nload:\n  - inject: { rate: 1, interval: 0ms, during: 1s }\n",
        "test.yaml:4: Inject(rate: 1, interval: 0ms, during: 1s): interval must be at least 1ms")]
    [InlineData("mix:\n  - { name: a, bytes: 10 }\nload:\n  - injectRandom: { minRate: 5, maxRate: 1, interval: 1s, "
        + "during: 1s }\n",
        "test.yaml:4: InjectRandom(minRate: 5, maxRate: 1, interval: 1s, during: 1s): minRate 5 and maxRate 1")]
    [InlineData("mix:\n  - { name: a, bytes: 10 }\nload:\n  - injectRandon: { minRate: 5, maxRate: 1, interval: 1s, "
        + "during: 1s }\n", "test.yaml:4: no load simulation 'injectRandon' (did you mean 'injectRandom'?)")]
    [InlineData("mix:\n  - { name: a, bytes: 10 }\nload:\n  - inject: { rate: 1, during: 1s }\n",
        "test.yaml:4: 'interval' is missing")]
    [InlineData("mix:\n  - { name: a, bytes: 10 }\nload:\n  - inject: { rate: 1, interval: 1s, during: soon }\n",
        "test.yaml:4: 'soon' is not a duration")]
    public void A_scenario_mistake_is_one_line_naming_the_line(string yaml, string message)
    {
        var e = Assert.Throws<ProfileException>(() => Parse(yaml));
        Assert.StartsWith(message, e.Message);
    }

    [Theory]
    [InlineData("p99 < 800ms", null, "p99", "<", 800.0)]
    [InlineData("compressed: p95 <= 1.5s", "compressed", "p95", "<=", 1500.0)]
    [InlineData("error_rate < 1%", null, "error_rate", "<", 1.0)]
    [InlineData("rps > 100", null, "rps", ">", 100.0)]
    [InlineData("dropped == 0", null, "dropped", "==", 0.0)]
    [InlineData("raw_p99 < 500ms", null, "service_p99", "<", 500.0)]
    [InlineData("service_p95 < 1s", null, "service_p95", "<", 1000.0)]
    public void Thresholds_parse_into_metric_operator_and_value(string text, string? scope, string metric, string op,
        double value)
    {
        var t = Threshold.Parse(text);
        Assert.Equal((scope, metric, op, value), (t.Scope, t.Metric, t.Op, t.Value));
    }
}

/// <summary>Latency tests compare orders of magnitude, but a loaded 2-core machine can still blur
/// them; they run alone, after the parallel tests.</summary>
[CollectionDefinition("timing", DisableParallelization = true)]
public sealed class TimingCollection;

[Collection("timing")]
public class OpenModelStallTests
{
    private static Scenario Parse(string yaml) => ScenarioLoader.Parse(yaml, "test.yaml");

    /// <summary>A server whose first request waits on a gate the test opens once the engine has
    /// injected <paramref name="releaseAfter"/> iterations: a stall of known size, no sleeps.</summary>
    private static async Task<(LoadOutcome Outcome, long Injected)> RunAgainstStall(string scenarioYaml,
        Func<LoadEngine, bool> release)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = 0;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        await using var app = builder.Build();
        app.MapPost("/image", async (HttpContext context) =>
        {
            if (Interlocked.Exchange(ref first, 1) == 0) await gate.Task;
            await context.Request.Body.CopyToAsync(Stream.Null);
            await context.Response.WriteAsJsonAsync(new { code = 0 });
        });
        app.MapGet("/health", () => "ok");
        await app.StartAsync();
        var url = new Uri(app.Urls.First() + "/image");
        var profile = TargetProfile.Reference(url) with { Stats = null };
        var scenario = Parse(scenarioYaml);
        using var engine = new LoadEngine(scenario, profile, new RequestMix(scenario, profile, ImageFactory.Default()));
        var run = engine.RunAsync(null, CancellationToken.None);
        var watch = Stopwatch.StartNew();
        while (!release(engine) && watch.Elapsed < TimeSpan.FromSeconds(20))
            await Task.Delay(5); // polling the engine's counter: the gate opens on a count, not a time
        gate.SetResult();
        var outcome = await run;
        return (outcome, engine.Iterations);
    }

    [Fact]
    public async Task In_an_open_model_a_stall_shows_in_the_corrected_latency_and_not_in_service_time()
    {
        var (outcome, injected) = await RunAgainstStall("""
            connections: 1
            mix:
              - { name: small, bytes: 2000 }
            load:
              - inject: { rate: 50, interval: 1s, during: 2s }
            """, engine => engine.Iterations >= 40);

        Assert.Equal(100, injected);
        Assert.Equal(100, outcome.All.Requests + outcome.All.Dropped);
        var correctedP90 = ThresholdMetric.Find("p90")!.Read(outcome.All, outcome.Duration);
        var rawP95 = ThresholdMetric.Find("service_p95")!.Read(outcome.All, outcome.Duration);
        // The stall lasted for 40 injections at 50/s (0.8 s): requests intended during it waited
        // for hundreds of milliseconds, while each one's own service time stayed small.
        Assert.True(correctedP90 > 200, $"corrected p90 {correctedP90} ms");
        Assert.True(rawP95 < correctedP90 / 4, $"service time p95 {rawP95} ms vs corrected p90 {correctedP90} ms");
    }

    [Fact]
    public async Task When_every_in_flight_slot_is_busy_an_open_model_counts_drops_instead_of_sending_fewer()
    {
        var (outcome, injected) = await RunAgainstStall("""
            connections: 1
            maxInFlight: 5
            mix:
              - { name: small, bytes: 2000 }
            load:
              - inject: { rate: 50, interval: 1s, during: 2s }
            """, engine => engine.Iterations >= 40);

        Assert.Equal(100, injected);
        Assert.True(outcome.All.Dropped >= 30, $"{outcome.All.Dropped} dropped");
        Assert.Equal(100, outcome.All.Requests + outcome.All.Dropped);
        Assert.False(
            LoadEngine.Evaluate([Threshold.Parse("dropped == 0")], outcome.All, outcome.ByName,
            outcome.Duration)[0].Passed);
    }
}

/// <summary>--duration and --rate act on the whole scenario, as k6's --duration acts on the whole run.</summary>
public class ScenarioOverrideTests
{
    private static Scenario Parse(string yaml) => ScenarioLoader.Parse(yaml, "test.yaml");

    private const string Shaped = """
        mix:
          - { name: a, bytes: 10 }
        load:
          - rampingInject: { rate: 20, interval: 1s, during: 10s }
          - inject: { rate: 20, interval: 1s, during: 30s }
          - injectRandom: { minRate: 5, maxRate: 40, interval: 1s, during: 20s }
          - pause: 20s
        """;

    [Fact]
    public void Duration_stretches_every_timed_phase_alike_so_the_whole_run_lasts_it()
    {
        var scenario = Parse(Shaped).WithDuration(TimeSpan.FromMinutes(2));
        Assert.Equal(TimeSpan.FromMinutes(2), scenario.PlannedDuration);
        Assert.Equal(
            [TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(45), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30)],
            scenario.Load.Select(p => p.During!.Value));
        var counted =
            Parse("mix:\n  - { name: a, bytes: 10 }\nload:\n  - iterationsForInject: { rate: 5, interval: 1s, "
            + "iterations: 20 }\n");
        Assert.Contains("has no timed phase",
            Assert.Throws<ProfileException>(() => counted.WithDuration(TimeSpan.FromSeconds(30))).Message);
    }

    [Fact]
    public void Rate_sets_the_busiest_phase_and_scales_the_others_injectRandom_included()
    {
        var scenario = Parse(Shaped).WithPeakRate(80);
        Assert.Equal(40, ((LoadSimulation.RampingInject)scenario.Load[0]).Rate);
        Assert.Equal(40, ((LoadSimulation.Inject)scenario.Load[1]).Rate);
        var random = (LoadSimulation.InjectRandom)scenario.Load[2];
        Assert.Equal((10, 80), (random.MinRate, random.MaxRate));
        var closed = Parse("mix:\n  - { name: a, bytes: 10 }\nload:\n  - keepConstant: { copies: 2, during: 1s }\n");
        Assert.Contains("applies to open scenarios",
            Assert.Throws<ProfileException>(() => closed.WithPeakRate(10)).Message);
    }

    [Fact]
    public void Every_simulation_is_found_by_its_yaml_name_with_its_keys()
    {
        var kinds = LoadSimulation.Kinds.ToDictionary(k => k.Name);
        Assert.Equal(
            ["inject", "rampingInject", "injectRandom", "iterationsForInject", "keepConstant", "rampingConstant",
            "iterationsForConstant", "pause"], LoadSimulation.Kinds.Select(k => k.Name));
        Assert.Equal(["minRate", "maxRate", "interval", "during"], kinds["injectRandom"].Keys);
        Assert.Equal("keepConstant", new LoadSimulation.KeepConstant(1, TimeSpan.FromSeconds(1)).Kind);
    }
}
