using System.CommandLine;
using UploadConformance.Load;
using UploadConformance.Payloads;
using UploadConformance.Reporting;
using UploadConformance.Scenarios;
using UploadConformance.Suites;
using UploadConformance.Wire;

namespace UploadConformance.Cli.Commands;

/// <summary>The default job: the smoke suite against the embedded reference server (or <c>--target</c>),
/// every upload verified, then a short load phase; results.json and the reports written.</summary>
public static class RunCommand
{
    public static Command Declare(Command command, CliContext context)
    {
        var target = CliOptions.Target();
        var field = CliOptions.Field("images");
        var seed = CliOptions.Seed();
        var output = CliOptions.Out();
        var recovery = CliOptions.Recovery();
        foreach (var option in new Option[] { target, field, seed, output, recovery }) command.Options.Add(option);
        var tlsArguments = new TlsArguments(command);
        command.SetAction(async (parse, _) =>
        {
            var url = parse.GetValue(target);
            var (tls, https) = tlsArguments.Read(parse, url);
            return await ExecuteAsync(context, new Options(new TargetChoice(url, null, tls, https),
                parse.GetValue(field) ?? "images", parse.GetValue(seed), parse.GetValue(output),
                CliOptions.RecoveryOrDefault(parse.GetValue(recovery))));
        });
        return command;
    }

    /// <summary>The command line, bound once.</summary>
    public sealed record Options(TargetChoice Target, string Field, int Seed, string? OutDir, TimeSpan Recovery);

    private static async Task<int> ExecuteAsync(CliContext context, Options options)
    {
        var (choice, field, seed, outDir, recovery) = options;
        var (url, _, tls, https) = choice;
        var stdout = context.Out;
        var started = DateTimeOffset.Now;
        var folder = context.Folders.Prepare(outDir, "run", started);
        TlsArguments.Announce(tls, stdout);
        var embedded = new ReferenceServer.ReferenceServerOptions { FileField = field, Https = https };
        await using var target = await Target.ResolveAsync(url, null, embedded, tls, context.Token);
        using var http = Uploader.CreateHttpClient(target.Tls, TimeSpan.FromSeconds(60));
        stdout.WriteLine(
            $"UploadConformance {Results.ToolInfo.Current.Version}: suite '{SmokeSuite.Name}' against "
            + $"{target.Describe()}, seed {seed}");

        var images = ImageFactory.Default();
        stdout.WriteLine($"preparing payloads (images are encoded once and cached in {images.CacheDirectory})");
        var profile = target.Profile with { Field = field };
        var cases = SmokeSuite.Build(new Suites.Catalog.CatalogContext(profile, seed, images)).ToList();

        using var uploader = new Uploader(target.Tls);
        var runner = new Verification.CaseRunner(uploader, http, profile) { Recovery = recovery };
        var run = await CaseSession.RunAsync(cases, runner, context);

        Results.LoadResults? load = null;
        if (run.Interrupted is null)
        {
            var scenario = BuiltInScenarios.Smoke() with { Seed = seed };
            stdout.WriteLine();
            stdout.WriteLine($"load: scenario '{scenario.Name}': {string.Join(" → ", scenario.Load)}");
            using var engine = new LoadEngine(scenario, profile, new RequestMix(scenario, profile, images), target.Tls);
            var outcome = await engine.RunAsync(null, context.Token, () => context.Stop.Reason);
            load = Results.LoadResults.Of(scenario, outcome);
            foreach (var line in ConsoleSummary.Load(RunSummary.OfLoad(load))) stdout.WriteLine(line);
            if (outcome.Interrupted is { } why)
            {
                var code = outcome.TargetGone ? ExitCodes.Unreachable : context.Token.IsCancellationRequested
                    ? context.Stop.ExitCode : ExitCodes.Ok;
                run = run with { Interrupted = why, InterruptedExitCode = code };
            }
        }
        var record = new RunRecord("run", started, folder, target, seed);
        var exit = await CaseSession.FinishAsync(record, run, context, load);
        return exit == ExitCodes.Ok && load is not null && load.Thresholds.Any(t => !t.Passed) ? ExitCodes.Failures
            : exit;
    }
}
