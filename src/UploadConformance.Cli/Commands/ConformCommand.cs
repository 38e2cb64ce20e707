using System.CommandLine;
using UploadConformance.Payloads;
using UploadConformance.Suites.Catalog;
using UploadConformance.Targets;
using UploadConformance.Verification;
using UploadConformance.Wire;

namespace UploadConformance.Cli.Commands;

/// <summary><c>conform</c>: the catalog against a target (the embedded reference server when none is
/// given), a verdict per case with its evidence, results.json and the reports.</summary>
public static class ConformCommand
{
    public static Command Create(CliContext context)
    {
        var command =
            new Command("conform", "the conformance catalog against --target (or the embedded reference server): "
            + "a verdict per case with its evidence");
        var target = CliOptions.Target();
        var profile = CliOptions.Profile();
        var suite = CatalogOptions.Suite();
        var cases = CatalogOptions.Case();
        var seed = CliOptions.Seed();
        var output = CliOptions.Out();
        var recovery = CliOptions.Recovery();
        foreach (var option in new Option[] { target, profile, suite, cases, seed, output,
            recovery }) command.Options.Add(option);
        var tlsArguments = new TlsArguments(command);
        command.SetAction(async (parse, _) =>
        {
            var url = parse.GetValue(target);
            var (tls, https) = tlsArguments.Read(parse, url);
            return await ExecuteAsync(context, new Options(new TargetChoice(url, parse.GetValue(profile), tls, https),
                parse.GetValue(suite), parse.GetValue(cases), parse.GetValue(seed), parse.GetValue(output),
                CliOptions.RecoveryOrDefault(parse.GetValue(recovery))));
        });
        return command;
    }

    /// <summary>The command line, bound once.</summary>
    public sealed record Options(TargetChoice Target, string? Suite, string? CasePattern, int Seed, string? OutDir,
        TimeSpan Recovery);

    private static async Task<int> ExecuteAsync(CliContext context, Options options)
    {
        var (choice, suite, casePattern, seed, outDir, recovery) = options;
        var (url, profilePath, tls, https) = choice;
        var stdout = context.Out;
        // Check the selection before starting anything, so a typo costs nothing.
        var images = ImageFactory.Default();
        // The profile's own cases count (a flows suite exists only with steps), so the check reads it.
        var planned = profilePath is null ? Target.ProfileOf(Target.ConformServer, Target.Placeholder)
            : ProfileLoader.Load(profilePath, Target.Placeholder, requireEnvironment: false);
        CatalogOptions.Select(new CatalogContext(planned, seed, images), suite, casePattern);

        var started = DateTimeOffset.Now;
        var folder = context.Folders.Prepare(outDir, "conform", started);
        TlsArguments.Announce(tls, stdout);
        await using var target =
            await Target.ResolveAsync(url, profilePath, Target.ConformServer with { Https = https }, tls,
            context.Token);
        using var http = Uploader.CreateHttpClient(target.Tls, TimeSpan.FromSeconds(60));
        var selected = CatalogOptions.Select(new CatalogContext(target.Profile, seed, images), suite, casePattern);
        stdout.WriteLine(
            $"UploadConformance {Results.ToolInfo.Current.Version}: {selected.Count} cases against "
            + $"{target.Describe()}, seed {seed}");
        if (target.Profile.Source is { } source) stdout.WriteLine($"profile: {source}");

        using var uploader = new Uploader(target.Tls);
        var runner = new CaseRunner(uploader, http, target.Profile) { Recovery = recovery };
        var run = await CaseSession.RunAsync(selected, runner, context);
        var record = new RunRecord("conform", started, folder, target, seed)
        {
            DescribeProfile = true,
            Selection = $"suite={suite ?? "all"} case={casePattern ?? "all"}",
        };
        return await CaseSession.FinishAsync(record, run, context);
    }
}

/// <summary>The <c>--suite</c> and <c>--case</c> options of <c>conform</c> and <c>cases</c>.</summary>
internal static class CatalogOptions
{
    public static Option<string?> Suite()
    {
        var option = CliOptions.Text("--suite", "name[,name]", "only these suites: "
            + string.Join(", ", ConformanceCatalog.Suites.Select(s => s.Name)) + " (smoke is the default run's suite)");
        option.CompletionSources.Add(ConformanceCatalog.Suites.Select(s => s.Name).ToArray());
        return option;
    }

    public static Option<string?> Case() =>
        CliOptions.Text("--case", "id|prefix*", "only these cases, e.g. 'wire.boundary.*'");

    public static IReadOnlyList<UploadCase> Select(CatalogContext context, string? suite, string? casePattern)
    {
        try
        {
            return ConformanceCatalog.Select(context, suite, casePattern);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }
}
