using System.CommandLine;
using System.Globalization;
using System.Text;
using UploadConformance.Reporting;
using UploadConformance.Results;

namespace UploadConformance.Cli.Commands;

/// <summary><c>report</c>: rebuilds a run's reports from its results.json; given several runs,
/// writes a comparison (verdicts case by case, load against the first run).</summary>
public static class ReportCommand
{
    public static Command Create(CliContext context)
    {
        var command =
            new Command("report",
            "rebuild a run's reports from its results.json; with several run folders, a comparison: "
            + "verdicts case by case (and matrix.md, every case × run), load against the first run");
        var folders =
            new Argument<string[]>("dir") { Description = "run folders (reports/<run>) holding results.json",
            Arity = ArgumentArity.ZeroOrMore };
        var output =
            CliOptions.Text("--out", "dir",
            "where to write (default: the run's own folder, or reports/<timestamp>-compare)");
        var tolerance = new Option<double?>("--tolerance")
        {
            HelpName = "percent",
            Description = "how much worse a load metric may get before it counts as a regression: 10% (the default), "
                + "or 10",
            CustomParser = r =>
            {
                var text = r.Tokens[^1].Value;
                var number = text.EndsWith('%') ? text[..^1] : text;
                if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= 0)
                    return v;
                r.AddError($"--tolerance takes a percentage of 0 or more, such as 10% or 10, not '{text}'");
                return null;
            },
        };
        var failOnRegression =
            CliOptions.Flag("--fail-on-regression", "exit 1 when a verdict got worse or a load metric regressed");
        command.Arguments.Add(folders);
        foreach (var option in new Option[] { output, tolerance, failOnRegression }) command.Options.Add(option);
        command.SetAction(parse => ExecuteAsync(context, new Options(parse.GetValue(folders) ?? [],
            parse.GetValue(output), parse.GetValue(tolerance) ?? 10, parse.GetValue(failOnRegression))));
        return command;
    }

    /// <summary>The command line, bound once.</summary>
    public sealed record Options(string[] Folders, string? OutDir, double Tolerance, bool FailOnRegression);

    private static async Task<int> ExecuteAsync(CliContext context, Options options)
    {
        var (folders, outDir, tolerance, failOnRegression) = options;
        var stdout = context.Out;
        if (folders.Length == 0) throw new UsageException(
            "report needs one or more run folders (reports/<run>) holding results.json");
        var runs = folders.Select(f =>
            (Label: Path.GetFileName(Path.GetFullPath(f).TrimEnd('/')), Document: ResultsFile.Read(f))).ToList();
        if (runs.Count == 1)
        {
            var folder = context.Folders.Prepare(outDir ?? folders[0], "report", DateTimeOffset.Now);
            if (outDir is not null) await ResultsFile.WriteAsync(runs[0].Document, folder);
            var written = await ReportSet.WriteAsync(runs[0].Document, folder);
            foreach (var path in written.Paths) stdout.WriteLine($"wrote {path}");
            foreach (var failure in written.Failures) stdout.WriteLine(
                $"report {failure.FileName} could not be written: {failure.Problem}");
            return ExitCodes.Ok;
        }

        var comparison = new Comparison(runs, tolerance);
        var target = context.Folders.Prepare(outDir, "compare", DateTimeOffset.Now);
        await File.WriteAllTextAsync(Path.Combine(target, HtmlReport.Name), comparison.RenderHtml(),
            new UTF8Encoding(false));
        await File.WriteAllTextAsync(Path.Combine(target, SummaryMarkdown.Name), comparison.RenderMarkdown(),
            new UTF8Encoding(false));
        await File.WriteAllTextAsync(Path.Combine(target, Comparison.MatrixName), comparison.RenderMatrixMarkdown(),
            new UTF8Encoding(false));
        stdout.Write(comparison.RenderMarkdown());
        stdout.WriteLine($"comparison: {Path.Combine(target, HtmlReport.Name)}");
        stdout.WriteLine($"case matrix: {Path.Combine(target, Comparison.MatrixName)}");
        return failOnRegression && comparison.HasRegression ? ExitCodes.Failures : ExitCodes.Ok;
    }
}
