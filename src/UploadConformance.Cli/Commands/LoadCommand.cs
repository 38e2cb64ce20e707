using System.CommandLine;
using UploadConformance.Live;
using UploadConformance.Load;
using UploadConformance.Payloads;
using UploadConformance.Reporting;
using UploadConformance.Results;
using UploadConformance.Scenarios;
using UploadConformance.Targets;
using UploadConformance.Wire;

namespace UploadConformance.Cli.Commands;

/// <summary><c>load</c>: a scenario's load phases against a target, live progress, per-name
/// statistics, thresholds that set the exit code, and results.json with mergeable histograms.</summary>
public static class LoadCommand
{
    public static Command Create(CliContext context)
    {
        var command =
            new Command("load", "a load scenario against --target (or the embedded reference server): NBomber's load "
            + "simulations, latency from the intended start, thresholds");
        var scenario =
            CliOptions.Text("--scenario", "file.yaml|name", "the scenario to run: a file, or a built-in one by name ("
            + string.Join(", ", BuiltInScenarios.Names) + ")");
        scenario.CompletionSources.Add(BuiltInScenarios.Names.ToArray());
        scenario.Required = true;
        var target = CliOptions.Target();
        var profile = CliOptions.Profile();
        var duration =
            CliOptions.Duration("--duration", "time",
            "the whole run's length: every timed phase stretched or shrunk alike", aboveZero: true);
        var rate = CliOptions.OptionalInt("--rate", "n",
            "iterations a second at the busiest open phase; the others scale alike", min: 1);
        var seed = CliOptions.OptionalInt("--seed", "n", "overrides the scenario's seed", min: 0);
        var segment = CliOptions.Segment();
        var output = CliOptions.Out();
        var metrics = LiveMetrics.Option();
        var dashboard = LiveMetrics.DashboardOption();
        foreach (var option in new Option[] { scenario, target, profile, duration, rate, seed, segment, metrics,
            dashboard,
            output }) command.Options.Add(option);
        var tlsArguments = new TlsArguments(command);
        command.SetAction(async (parse, _) =>
        {
            var url = parse.GetValue(target);
            var (tls, https) = tlsArguments.Read(parse, url);
            var loaded =
                Prepare(BuiltInScenarios.Read(parse.GetValue(scenario)!),
                new ScenarioOverrides(parse.GetValue(duration), parse.GetValue(rate), parse.GetValue(seed)),
                ProfileSteps(parse.GetValue(profile)));
            return await ExecuteAsync(context, new Options(loaded, new TargetChoice(url, parse.GetValue(profile), tls,
                https), parse.GetValue(output), parse.GetValue(segment), LiveMetrics.Sinks(parse, metrics, dashboard)));
        });
        return command;
    }

    /// <summary>A scenario's YAML with the command line's overrides applied, checked; a coordinator's
    /// workers apply the same overrides to the same text.</summary>
    public static Scenario Prepare((string Text, string Source) yaml, ScenarioOverrides overrides,
        IReadOnlyCollection<string>? profileSteps = null)
    {
        try
        {
            return overrides.Apply(ScenarioLoader.Parse(yaml.Text, yaml.Source, profileSteps));
        }
        catch (ProfileException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>The rows a profile's flow adds, so a scenario's thresholds may name its steps; the profile itself
    /// is read and checked again with the target.</summary>
    public static IReadOnlyCollection<string>? ProfileSteps(string? path)
    {
        if (path is null) return null;
        try
        {
            return Scenario.Rows(ProfileLoader.Load(path, Target.Placeholder, requireEnvironment: false).Flow);
        }
        catch (ProfileException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>The command line, bound once: the scenario with its overrides applied.</summary>
    public sealed record Options(Scenario Scenario, TargetChoice Target, string? OutDir, ExecutionSegment? Segment,
        IReadOnlyList<MetricsSink> Sinks);

    private static async Task<int> ExecuteAsync(CliContext context, Options options)
    {
        var (scenario, choice, outDir, segment, sinks) = options;
        var (url, profilePath, tls, https) = choice;
        var stdout = context.Out;
        var started = DateTimeOffset.Now;
        var folder = context.Folders.Prepare(outDir, "load", started);
        TlsArguments.Announce(tls, stdout);
        using var live = LiveMetrics.Start(sinks, scenario.Name, Path.GetFileName(folder), stdout);
        var embedded = new ReferenceServer.ReferenceServerOptions { Https = https };
        await using var target =
            await Target.ResolveAsync(url, profilePath, embedded, tls, context.Token, probeUpload: segment is null);
        stdout.WriteLine($"UploadConformance {ToolInfo.Current.Version}: scenario '{scenario.Name}' "
            + $"({(scenario.IsOpen ? "open" : "closed")} model) against {target.Describe()}"
            + (segment is { } share ? $", generator {share} of a split run" : ""));
        foreach (var phase in scenario.Load) stdout.WriteLine($"  {phase}");
        stdout.WriteLine("preparing payloads");
        var mix = new RequestMix(scenario, target.Profile, ImageFactory.Default());

        using var engine = new LoadEngine(scenario, target.Profile, mix, target.Tls, segment);
        // The embedded server's end of every connection is in this process too.
        OpenFileLimit.Check(engine.MaxSockets * (target.Embedded ? 2 : 1));
        var record =
            new RunRecord("load", started, folder, target, scenario.Seed) { DescribeProfile = !target.Embedded };
        var outcome = await engine.RunAsync(p =>
        {
            stdout.WriteLine(ConsoleSummary.Progress(p));
            if (LiveTotals.Of(p) is { } totals)
                live?.Publish(totals with
                {
                    Report = () => record.Document([], LoadResults.Of(scenario, engine.Snapshot()), null),
                });
        }, context.Token, () => context.Stop.Reason);

        var results = LoadResults.Of(scenario, outcome);
        stdout.WriteLine();
        foreach (var line in ConsoleSummary.Load(RunSummary.OfLoad(results))) stdout.WriteLine(line);
        var document = record.Document([], results, outcome.Interrupted);
        await RunOutput.WriteAsync(document, folder, stdout);
        if (outcome.Interrupted is { } why)
            stdout.WriteLine(
                $"stopped early: {Text.UntrustedText.ForTerminal(why)}; the results gathered so far were written");
        if (live is not null)
            await live.FinishAsync(new LiveTotals(outcome.All, outcome.ByName, 0, outcome.Thresholds)
            {
                Report = () => document,
            }, stdout, context.Token);
        if (outcome.TargetGone) return ExitCodes.Unreachable;
        if (outcome.ClientLimitReached) return ExitCodes.Usage;
        if (context.Token.IsCancellationRequested) return context.Stop.ExitCode;
        return outcome.Thresholds.All(t => t.Passed) ? ExitCodes.Ok : ExitCodes.Failures;
    }
}
