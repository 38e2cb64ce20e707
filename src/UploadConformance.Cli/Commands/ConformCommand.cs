using UploadConformance.Payloads;
using UploadConformance.ReferenceServer;
using UploadConformance.Results;
using UploadConformance.Suites.Catalog;
using UploadConformance.Targets;
using UploadConformance.Verification;
using UploadConformance.Wire;

namespace UploadConformance.Cli.Commands;

/// <summary><c>conform</c>: the catalog against a target (the embedded reference server when none is
/// given), a verdict per case with its evidence, results.json and summary.md.</summary>
public static class ConformCommand
{
    public static readonly Arguments.Spec Options = new("conform", ["target", "profile", "suite", "case", "seed", "out", .. TlsArguments.Values], [.. TlsArguments.Flags]);

    /// <summary>What the embedded server declares when conform runs against it.</summary>
    public static ReferenceServerOptions EmbeddedServer => new() { FileField = "*", MaxFileBytes = 32L << 20 };

    public static async Task<int> ExecuteAsync(Arguments args, TextWriter stdout, CancellationToken cancellationToken)
    {
        var url = args.Url("target");
        var profilePath = args.Text("profile");
        var suite = args.Text("suite");
        var casePattern = args.Text("case");
        var seed = args.Int("seed", 1, 0);
        var outDir = args.Text("out");
        var (tls, https) = TlsArguments.Read(args);
        args.EnsureAllUsed();

        // Check the selection before starting anything, so a typo costs nothing.
        var images = ImageFactory.Default();
        Select(new CatalogContext(TargetProfile.Reference(new Uri("http://127.0.0.1/image")), seed, images), suite, casePattern);

        var started = DateTimeOffset.Now;
        TlsArguments.Announce(tls, stdout);
        await using var target = await Target.ResolveAsync(url, profilePath, EmbeddedServer with { Https = https }, tls, cancellationToken);
        using var http = Uploader.CreateHttpClient(target.Tls, TimeSpan.FromSeconds(60));
        var cases = Select(new CatalogContext(target.Profile, seed, images), suite, casePattern);
        stdout.WriteLine($"UploadConformance {ToolInfo.Current.Version}: {cases.Count} cases against {target.UploadUrl}{(target.Embedded ? " (embedded reference server)" : "")}, seed {seed}");
        if (target.Profile.Source is { } source) stdout.WriteLine($"profile: {source}");

        using var uploader = new Uploader(target.Tls);
        var runner = new CaseRunner(uploader, http, target.Profile);
        var run = await CaseSession.RunAsync(cases, runner, stdout, cancellationToken);
        var folder = ReportFolder.Resolve(outDir, "conform", started);
        return await CaseSession.FinishAsync("conform", started, folder, target, seed, run, stdout,
            describeProfile: true, selection: $"suite={suite ?? "all"} case={casePattern ?? "all"}");
    }

    private static IReadOnlyList<UploadCase> Select(CatalogContext context, string? suite, string? casePattern)
    {
        try
        {
            return ConformanceCatalog.Select(ConformanceCatalog.Build(context), suite, casePattern);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }
}

/// <summary><c>cases</c>: every case with its stable id and one-line description.</summary>
public static class CasesCommand
{
    public static readonly Arguments.Spec Options = new("cases", ["suite", "case"], []);

    public static Task<int> ExecuteAsync(Arguments args, TextWriter stdout)
    {
        var suite = args.Text("suite");
        var casePattern = args.Text("case");
        args.EnsureAllUsed();
        IReadOnlyList<UploadCase> cases;
        try
        {
            var all = ConformanceCatalog.Build(new CatalogContext(TargetProfile.Reference(new Uri("http://127.0.0.1/image"), maxFileBytes: 32L << 20), 1, ImageFactory.Default()));
            cases = ConformanceCatalog.Select(all, suite, casePattern);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
        var width = cases.Max(c => c.Id.Length);
        foreach (var (name, description, _) in ConformanceCatalog.Suites)
        {
            var inSuite = cases.Where(c => c.Suite == name).ToList();
            if (inSuite.Count == 0) continue;
            stdout.WriteLine($"{name}: {description} ({inSuite.Count})");
            foreach (var c in inSuite) stdout.WriteLine($"  {c.Id.PadRight(width)}  {c.Description}");
        }
        stdout.WriteLine($"{cases.Count} cases");
        return Task.FromResult(ExitCodes.Ok);
    }
}
