using System.Globalization;
using UploadConformance.Load;
using UploadConformance.Payloads;
using UploadConformance.Reporting;
using UploadConformance.ReferenceServer;
using UploadConformance.Results;
using UploadConformance.Scenarios;
using UploadConformance.Targets;
using UploadConformance.Wire;

namespace UploadConformance.Cli.Commands;

/// <summary><c>load</c>: a scenario's load phases against a target, live progress, per-name
/// statistics, thresholds that set the exit code, and results.json with mergeable histograms.</summary>
public static class LoadCommand
{
    public static readonly Arguments.Spec Options = new("load", ["target", "profile", "scenario", "out", "duration", "rate", "seed", .. TlsArguments.Values], [.. TlsArguments.Flags]);

    public static async Task<int> ExecuteAsync(Arguments args, TextWriter stdout, CancellationToken cancellationToken)
    {
        var url = args.Url("target");
        var profilePath = args.Text("profile");
        var scenarioPath = args.Text("scenario") ?? throw new UsageException("load needs --scenario <file.yaml> (see scenarios/)");
        var outDir = args.Text("out");
        var durationText = args.Text("duration");
        var rateText = args.Text("rate");
        var seedText = args.Text("seed");
        var (tls, https) = TlsArguments.Read(args);
        args.EnsureAllUsed();

        Scenario scenario;
        try
        {
            scenario = ScenarioLoader.Load(scenarioPath);
        }
        catch (ProfileException e)
        {
            throw new UsageException(e.Message);
        }
        scenario = Override(scenario, durationText, rateText, seedText);

        var started = DateTimeOffset.Now;
        TlsArguments.Announce(tls, stdout);
        await using var target = await Target.ResolveAsync(url, profilePath, new ReferenceServerOptions { Https = https }, tls, cancellationToken);
        stdout.WriteLine($"UploadConformance {ToolInfo.Current.Version}: scenario '{scenario.Name}' ({(scenario.IsOpen ? "open" : "closed")} model) against {target.UploadUrl}{(target.Embedded ? " (embedded reference server)" : "")}");
        foreach (var phase in scenario.Load) stdout.WriteLine($"  {phase}");
        stdout.WriteLine("preparing payloads");
        var mix = new RequestMix(scenario, target.Profile, ImageFactory.Default());

        using var engine = new LoadEngine(scenario, target.Profile, mix, target.Tls);
        var outcome = await engine.RunAsync(p => stdout.WriteLine(
            $"  [{p.Elapsed.TotalSeconds,4:0}s{(p.Planned is { } planned ? $" / {planned.TotalSeconds:0}s" : "")}]  rps {p.Rps,6:0.0}  requests {p.Requests,7}  failed {p.Failed,5}  dropped {p.Dropped,5}  p99 {p.P99Ms,8:0.0} ms  in flight {p.InFlight,4}"),
            cancellationToken);

        var results = LoadResults.Of(scenario, outcome);
        PrintSummary(stdout, results);
        var folder = ReportFolder.Resolve(outDir, "load", started);
        var document = new ResultsDocument
        {
            Run = new RunInfo
            {
                Id = Path.GetFileName(folder),
                Verb = "load",
                StartedAt = started,
                FinishedAt = DateTimeOffset.Now,
                DurationMs = Math.Round((DateTimeOffset.Now - started).TotalMilliseconds, 1),
                Target = new TargetInfo(target.UploadUrl.ToString(), target.Embedded),
                Seed = scenario.Seed,
                Profile = target.Embedded ? null : ProfileInfo.Of(target.Profile),
                Tls = target.UploadUrl.Scheme == Uri.UriSchemeHttps || target.Tls.Insecure || target.Tls.Http != System.Net.HttpVersion.Version11 ? TlsInfo.Of(target.Tls) : null,
                Interrupted = outcome.Interrupted,
            },
            Summary = VerdictCounts.Of([]),
            Load = results,
        };
        stdout.WriteLine($"results: {await ResultsFile.WriteAsync(document, folder)}");
        await ReportSet.WriteAsync(document, folder);
        stdout.WriteLine($"summary: {Path.Combine(folder, SummaryMarkdown.Name)}");
        stdout.WriteLine($"report:  {Path.Combine(folder, "index.html")}");
        if (outcome.Interrupted is { } why) stdout.WriteLine($"stopped early: {why}; the results gathered so far were written");
        if (outcome.TargetGone) return ExitCodes.Unreachable;
        if (cancellationToken.IsCancellationRequested) return ExitCodes.Interrupted;
        return outcome.Thresholds.All(t => t.Passed) ? ExitCodes.Ok : ExitCodes.Failures;
    }

    private static void PrintSummary(TextWriter stdout, LoadResults r)
    {
        stdout.WriteLine();
        stdout.WriteLine($"  {"name",-20} {"requests",9} {"ok",8} {"failed",7} {"dropped",7} {"rps",8} {"p50 ms",8} {"p95 ms",8} {"p99 ms",8} {"max ms",8} {"svc p99",8} {"MiB sent",9}");
        foreach (var n in r.Names.Append(r.All))
            stdout.WriteLine($"  {n.Name,-20} {n.Requests,9} {n.Ok,8} {n.Failed,7} {n.Dropped,7} {n.Rps,8:0.0} {n.Latency.P50,8:0.0} {n.Latency.P95,8:0.0} {n.Latency.P99,8:0.0} {n.Latency.Max,8:0.0} {n.ServiceTime.P99,8:0.0} {n.BytesSent / 1048576.0,9:0.0}");
        if (r.All.Errors.Count > 0) stdout.WriteLine($"  errors: {string.Join(", ", r.All.Errors.Select(e => $"{e.Key} {e.Value}"))}");
        foreach (var t in r.Thresholds) stdout.WriteLine($"  {(t.Passed ? "PASS" : "FAIL")}  {t.Text}  (actual {t.Actual.ToString("0.###", CultureInfo.InvariantCulture)})");
    }

    private static Scenario Override(Scenario scenario, string? durationText, string? rateText, string? seedText)
    {
        if (seedText is not null)
            scenario = scenario with { Seed = int.TryParse(seedText, NumberStyles.None, CultureInfo.InvariantCulture, out var seed) ? seed : throw new UsageException($"--seed takes a whole number, not '{seedText}'") };
        if (durationText is not null)
        {
            if (!StrictYaml.TryDuration(durationText, out var d) || d <= TimeSpan.Zero) throw new UsageException($"--duration takes a duration such as 30s or 2m, not '{durationText}'");
            scenario = scenario with
            {
                Load = scenario.Load.Select(p => p switch
                {
                    LoadSimulation.KeepConstant k => k with { Span = d },
                    LoadSimulation.RampingConstant r => r with { Span = d },
                    LoadSimulation.Inject i => i with { Span = d },
                    LoadSimulation.RampingInject ri => ri with { Span = d },
                    LoadSimulation.InjectRandom ir => ir with { Span = d },
                    _ => p,
                }).ToList(),
            };
        }
        if (rateText is not null)
        {
            if (!int.TryParse(rateText, NumberStyles.None, CultureInfo.InvariantCulture, out var rate) || rate <= 0) throw new UsageException($"--rate takes a whole number of iterations per interval, not '{rateText}'");
            if (!scenario.IsOpen) throw new UsageException($"--rate applies to open scenarios (inject…); '{scenario.Name}' is closed");
            scenario = scenario with
            {
                Load = scenario.Load.Select(p => p switch
                {
                    LoadSimulation.Inject i => i with { Rate = rate },
                    LoadSimulation.RampingInject ri => ri with { Rate = rate },
                    LoadSimulation.IterationsForInject ifi => ifi with { Rate = rate },
                    _ => p,
                }).ToList(),
            };
        }
        return scenario;
    }
}
