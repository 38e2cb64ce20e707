using System.Globalization;
using System.Text;
using UploadConformance.Reporting;
using UploadConformance.Results;

namespace UploadConformance.Cli.Commands;

/// <summary><c>report</c>: rebuilds a run's reports from its results.json; given several runs,
/// writes a comparison (verdicts case by case, load against the first run).</summary>
public static class ReportCommand
{
    public static readonly Arguments.Spec Options = new("report", ["out", "tolerance"], ["fail-on-regression"]);

    public static async Task<int> ExecuteAsync(Arguments args, TextWriter stdout)
    {
        var outDir = args.Text("out");
        var toleranceText = args.Text("tolerance");
        var failOnRegression = args.Flag("fail-on-regression");
        var folders = args.Positional.ToList();
        args.EnsureAllUsedButPositional();
        if (folders.Count == 0) throw new UsageException("report needs one or more run folders (reports/<run>) holding results.json");
        var tolerance = 10.0;
        if (toleranceText is not null && !(toleranceText.EndsWith('%') && double.TryParse(toleranceText[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out tolerance)))
            throw new UsageException($"--tolerance takes a percentage such as 10%, not '{toleranceText}'");

        var runs = folders.Select(f => (Label: Path.GetFileName(Path.GetFullPath(f).TrimEnd('/')), Document: ResultsFile.Read(f))).ToList();
        if (runs.Count == 1)
        {
            var folder = outDir ?? folders[0];
            if (outDir is not null) await ResultsFile.WriteAsync(runs[0].Document, folder);
            foreach (var path in await ReportSet.WriteAsync(runs[0].Document, folder)) stdout.WriteLine($"wrote {path}");
            return ExitCodes.Ok;
        }

        var comparison = new Comparison(runs, tolerance);
        var target = Path.GetFullPath(outDir ?? ReportFolder.Resolve(null, "compare", DateTimeOffset.Now));
        Directory.CreateDirectory(target);
        await File.WriteAllTextAsync(Path.Combine(target, "index.html"), comparison.RenderHtml(), new UTF8Encoding(false));
        await File.WriteAllTextAsync(Path.Combine(target, "summary.md"), comparison.RenderMarkdown(), new UTF8Encoding(false));
        stdout.Write(comparison.RenderMarkdown());
        stdout.WriteLine($"comparison: {Path.Combine(target, "index.html")}");
        var regressions = comparison.LoadDeltas().Count(d => d.Regression);
        return failOnRegression && regressions > 0 ? ExitCodes.Failures : ExitCodes.Ok;
    }
}
