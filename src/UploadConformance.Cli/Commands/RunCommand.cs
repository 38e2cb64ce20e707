using UploadConformance.Load;
using UploadConformance.Payloads;
using UploadConformance.Reporting;
using UploadConformance.Results;
using UploadConformance.Scenarios;
using UploadConformance.Suites;
using UploadConformance.Verification;
using UploadConformance.Wire;

namespace UploadConformance.Cli.Commands;

/// <summary>The default job: the smoke suite against the embedded reference server (or <c>--target</c>),
/// every upload verified, results.json and summary.md written.</summary>
public static class RunCommand
{
    public static readonly Arguments.Spec Options = new("run", ["target", "field", "seed", "out", .. TlsArguments.Values], [.. TlsArguments.Flags]);

    public static async Task<int> ExecuteAsync(Arguments args, TextWriter stdout, CancellationToken cancellationToken)
    {
        var url = args.Url("target");
        var field = args.Text("field") ?? "images";
        var seed = args.Int("seed", 1, 0);
        var outDir = args.Text("out");
        var (tls, https) = TlsArguments.Read(args);
        args.EnsureAllUsed();

        var started = DateTimeOffset.Now;
        TlsArguments.Announce(tls, stdout);
        await using var target = await Target.ResolveAsync(url, null, new ReferenceServer.ReferenceServerOptions { FileField = field, Https = https }, tls, cancellationToken);
        using var http = Uploader.CreateHttpClient(target.Tls, TimeSpan.FromSeconds(60));
        stdout.WriteLine($"UploadConformance {ToolInfo.Current.Version}: suite '{SmokeSuite.Name}' against {target.UploadUrl}{(target.Embedded ? " (embedded reference server)" : "")}, seed {seed}");

        var images = ImageFactory.Default();
        stdout.WriteLine($"preparing payloads (images are encoded once and cached in {images.CacheDirectory})");
        var cases = SmokeSuite.Build(target.UploadUrl, field, seed, images);

        using var uploader = new Uploader(target.Tls);
        var profile = target.Profile with { Field = field };
        var runner = new CaseRunner(uploader, http, profile);
        var run = await CaseSession.RunAsync(cases, runner, stdout, cancellationToken);

        LoadResults? load = null;
        if (run.Interrupted is null)
        {
            var scenario = ScenarioLoader.Parse(ShortLoad, "the default run's load phase") with { Seed = seed };
            stdout.WriteLine();
            stdout.WriteLine($"load: {scenario.Load[0]}");
            using var engine = new LoadEngine(scenario, profile, new RequestMix(scenario, profile, images), target.Tls);
            var outcome = await engine.RunAsync(null, cancellationToken);
            load = LoadResults.Of(scenario, outcome);
            var all = load.All;
            stdout.WriteLine($"  {all.Requests} uploads, {all.Ok} ok, {all.Failed} failed, {all.Dropped} dropped · p50 {all.Latency.P50:0.0} ms · p99 {all.Latency.P99:0.0} ms · max {all.Latency.Max:0.0} ms");
            foreach (var t in load.Thresholds) stdout.WriteLine($"  {(t.Passed ? "PASS" : "FAIL")}  {t.Text}  (actual {t.Actual:0.###})");
            if (outcome.Interrupted is { } why) run = run with { Interrupted = why, InterruptedExitCode = outcome.TargetGone ? ExitCodes.Unreachable : ExitCodes.Interrupted };
        }
        var code = await CaseSession.FinishAsync("run", started, ReportFolder.Resolve(outDir, "run", started), target, seed, run, stdout, load: load);
        return code == ExitCodes.Ok && load is not null && load.Thresholds.Any(t => !t.Passed) ? ExitCodes.Failures : code;
    }

    /// <summary>The short load phase after the smoke suite: enough to see the endpoint under a little
    /// concurrent load, every answer checked, without making the default run long.</summary>
    private const string ShortLoad = """
        name: default-run
        mix:
          - { name: compressed, image: compressed-android, weight: 3, formData: profile }
          - { name: original, image: original, weight: 1 }
        load:
          - inject: { rate: 10, interval: 1s, during: 3s }
        thresholds:
          - error_rate < 1%
          - failed_checks == 0
          - dropped == 0
        """;
}

/// <summary>Runs cases one by one, printing each as it finishes; stops early, keeping what it has,
/// on Ctrl-C or when the target stops answering.</summary>
public static class CaseSession
{
    public sealed record Outcome(IReadOnlyList<CaseResult> Results, string? Interrupted, int InterruptedExitCode);

    public static async Task<Outcome> RunAsync(IReadOnlyList<UploadCase> cases, CaseRunner runner, TextWriter stdout, CancellationToken cancellationToken, Action<long, long>? progress = null)
    {
        var results = new List<CaseResult>();
        var idWidth = Math.Max(20, cases.Max(c => c.Id.Length));
        stdout.WriteLine(ConsoleTable.Header(idWidth));
        foreach (var @case in cases)
        {
            CaseResult result;
            try
            {
                result = await runner.RunAsync(@case, cancellationToken, progress);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return new Outcome(results, "interrupted by Ctrl-C", ExitCodes.Interrupted);
            }
            results.Add(result);
            stdout.WriteLine(ConsoleTable.Row(result, idWidth));
            if (result.Outcome.Failure == FailureKind.Refused)
                return new Outcome(results, $"target stopped answering during {result.Id}", ExitCodes.Unreachable);
        }
        return new Outcome(results, null, ExitCodes.Ok);
    }

    /// <summary>Writes results.json and summary.md for what ran, prints the totals, and returns the exit code.</summary>
    public static async Task<int> FinishAsync(string verb, DateTimeOffset started, string folder, Target target, int seed, Outcome run, TextWriter stdout,
        bool describeProfile = false, string? selection = null, LoadResults? load = null)
    {
        var document = new ResultsDocument
        {
            Run = new RunInfo
            {
                Id = Path.GetFileName(folder),
                Verb = verb,
                StartedAt = started,
                FinishedAt = DateTimeOffset.Now,
                DurationMs = Math.Round((DateTimeOffset.Now - started).TotalMilliseconds, 1),
                Target = new TargetInfo(target.UploadUrl.ToString(), target.Embedded),
                Seed = seed,
                Profile = describeProfile ? ProfileInfo.Of(target.Profile) : null,
                Tls = target.UploadUrl.Scheme == Uri.UriSchemeHttps || target.Tls.Insecure || target.Tls.Http != System.Net.HttpVersion.Version11 ? TlsInfo.Of(target.Tls) : null,
                Selection = selection,
                Interrupted = run.Interrupted,
            },
            Summary = VerdictCounts.Of(run.Results),
            Cases = run.Results,
            Load = load,
        };
        var resultsPath = await ResultsFile.WriteAsync(document, folder);
        await ReportSet.WriteAsync(document, folder);
        var s = document.Summary;
        stdout.WriteLine();
        stdout.WriteLine($"{s.Total} cases: {s.Pass} pass, {s.NonStrict} non-strict, {s.Fail} fail, {s.Informational} informational in {document.Run.DurationMs / 1000:0.0} s");
        if (run.Interrupted is { } why) stdout.WriteLine($"stopped early: {why}; the results gathered so far were written");
        stdout.WriteLine($"results: {resultsPath}");
        stdout.WriteLine($"summary: {Path.Combine(folder, SummaryMarkdown.Name)}");
        stdout.WriteLine($"report:  {Path.Combine(folder, "index.html")}");
        if (run.Interrupted is not null) return run.InterruptedExitCode;
        return s.Fail > 0 ? ExitCodes.Failures : ExitCodes.Ok;
    }
}

public static class ReportFolder
{
    /// <summary><c>--out</c> when given; else reports/&lt;timestamp&gt;-&lt;verb&gt; under
    /// $UPLOADCONFORMANCE_REPORTS (run.sh points it at the repository's reports/) or ./reports.</summary>
    public static string Resolve(string? outDir, string verb, DateTimeOffset started)
    {
        if (outDir is not null) return Path.GetFullPath(outDir);
        var root = Environment.GetEnvironmentVariable("UPLOADCONFORMANCE_REPORTS") is { Length: > 0 } r ? r : "reports";
        return Path.GetFullPath(Path.Combine(root, $"{started:yyyyMMdd-HHmmss}-{verb}"));
    }
}
