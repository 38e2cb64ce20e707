using System.CommandLine;
using System.Globalization;
using System.Net;
using UploadConformance.Cluster;
using UploadConformance.Live;
using UploadConformance.Reporting;
using UploadConformance.Results;
using UploadConformance.Targets;

namespace UploadConformance.Cli.Commands;

/// <summary><c>coordinate</c>: the coordinator of a run split across <c>worker</c>s (on Kubernetes, a
/// Job behind a Service): one start for all, the merged progress, thresholds on merged data, and one
/// results.json with every report, as exact as one machine's.</summary>
public static class CoordinateCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("coordinate",
            "coordinate a load run split across workers (uc worker --coordinator <url>): one start, merged "
            + "results, thresholds on the whole cluster");
        var split = SplitRunOptions.Create("how many workers take part");
        var listen = new Option<IPEndPoint>("--listen")
        {
            HelpName = "ip:port",
            Description = "where workers reach the coordinator (127.0.0.1:8800; 0.0.0.0:8800 in a pod)",
            DefaultValueFactory = _ => new IPEndPoint(IPAddress.Loopback, 8800),
            CustomParser = r =>
            {
                var text = r.Tokens.Count == 0 ? "127.0.0.1:8800" : r.Tokens[^1].Value;
                if (IPEndPoint.TryParse(text, out var endpoint) && text.Contains(':')) return endpoint;
                r.AddError($"--listen takes ip:port, such as 127.0.0.1:8800, not '{text}'");
                return new IPEndPoint(IPAddress.Loopback, 8800);
            },
        };
        var wait = CliOptions.Duration("--wait", "time", "how long to wait for every worker to register (2m)");
        var output = CliOptions.Out();
        var metrics = LiveMetrics.Option();
        var dashboard = LiveMetrics.DashboardOption();
        foreach (var option in split.All.Concat([listen, wait, metrics, dashboard, output]))
            command.Options.Add(option);
        command.SetAction(async (parse, _) =>
        {
            var (workers, run, _) = split.Bind(parse);
            var profile = Read(run.Profile);
            return await ExecuteAsync(context, new Options(run, profile, workers, parse.GetValue(listen)!,
                parse.GetValue(wait) ?? TimeSpan.FromMinutes(2), parse.GetValue(output),
                LiveMetrics.Sinks(parse, metrics, dashboard)));
        });
        return command;
    }

    private static T Read<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is ProfileException or IOException or UnauthorizedAccessException)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>The command line, bound once.</summary>
    public sealed record Options(SplitRun Run, TargetProfile Profile, int Workers, IPEndPoint Listen, TimeSpan Wait,
        string? OutDir, IReadOnlyList<MetricsSink> Sinks);

    private static async Task<int> ExecuteAsync(CliContext context, Options options)
    {
        var (run, profile, workers, listen, wait, outDir, sinks) = options;
        var stdout = context.Out;
        var folder = context.Folders.Prepare(outDir, "coordinate", DateTimeOffset.Now);
        await using var coordinator = new Coordinator(run, workers);
        var scenario = coordinator.Scenario;
        // The cluster's merged view, as one machine's run publishes its own.
        using var live = LiveMetrics.Start(sinks, scenario.Name, Path.GetFileName(folder), stdout);
        try
        {
            await coordinator.ListenAsync(listen, context.Token);
        }
        catch (ClusterException e)
        {
            throw new UsageException(e.Message);
        }
        stdout.WriteLine($"UploadConformance {ToolInfo.Current.Version}: coordinating scenario '{scenario.Name}' "
            + $"across {workers} workers against {run.Target}");
        stdout.WriteLine($"listening on {coordinator.Url}; start each worker with: uc worker --coordinator "
            + $"{coordinator.Url}");
        RunInfo Info(DateTimeOffset startedAt, DateTimeOffset finished, string? interrupted) => new()
        {
            Id = Path.GetFileName(folder),
            Verb = "coordinate",
            StartedAt = startedAt.ToLocalTime(),
            FinishedAt = finished,
            DurationMs = Math.Round((finished - startedAt).TotalMilliseconds, 1),
            Target = new TargetInfo(run.Target, false),
            Seed = scenario.Seed,
            Profile = run.ProfileYaml is null ? null : ProfileInfo.Of(profile),
            Interrupted = interrupted,
        };
        ClusterOutcome outcome;
        try
        {
            outcome = await coordinator.RunAsync(p =>
            {
                stdout.WriteLine(Progress(p));
                if (p.Merged is { } merged)
                    live?.Publish(LiveTotals.Of(merged, p.InFlight) with
                    {
                        Report = () => ResultsDocument.For(Info(DateTimeOffset.Now - p.Elapsed, DateTimeOffset.Now,
                            null), [], merged),
                    });
            }, wait, () => context.Stop.Reason, context.Token);
        }
        catch (ClusterException e)
        {
            stdout.WriteLine($"uc: {e.Message}");
            return ExitCodes.Incomplete;
        }
        stdout.WriteLine();
        foreach (var line in ConsoleSummary.Load(RunSummary.OfLoad(outcome.Load))) stdout.WriteLine(line);
        var document = ResultsDocument.For(Info(outcome.StartedAt, DateTimeOffset.Now,
            outcome.Interrupted ?? outcome.Incomplete), [], outcome.Load);
        await RunOutput.WriteAsync(document, folder, stdout);
        if (live is not null)
            await live.FinishAsync(LiveTotals.Of(outcome.Load, 0) with { Report = () => document }, stdout,
                context.Token);
        if (outcome.Incomplete is { } lost)
        {
            stdout.WriteLine($"incomplete: {Text.UntrustedText.ForTerminal(lost)}; what they sent is merged");
            return ExitCodes.Incomplete;
        }
        if (context.Token.IsCancellationRequested) return context.Stop.ExitCode;
        return outcome.Load.Thresholds.All(t => t.Passed) ? ExitCodes.Ok : ExitCodes.Failures;
    }

    private static string Progress(ClusterProgress p) => string.Create(CultureInfo.InvariantCulture,
        $"  [{p.Elapsed.TotalSeconds,4:0}s{(p.Planned is { } planned ? $" / {planned.TotalSeconds:0}s" : "")}]  "
        + $"workers {p.Reporting}/{p.Workers}  rps {p.Rps,7:0}  requests {p.Requests,8}  failed {p.Failed,5}  "
        + $"dropped {p.Dropped,5}  p99 {p.P99Ms,8:0.0} ms");
}
