using UploadConformance.Reporting;
using UploadConformance.Results;
using UploadConformance.Text;
using UploadConformance.Verification;

namespace UploadConformance.Cli;

/// <summary>Runs cases one by one, printing each as it finishes; stops early, keeping what it has,
/// on Ctrl-C, SIGTERM, or when the target stops answering.</summary>
public static class CaseSession
{
    public sealed record Outcome(IReadOnlyList<CaseResult> Results, string? Interrupted, int InterruptedExitCode);

    /// <param name="verb">What the verb itself makes of a graded case, before it is shown (upload: a
    /// refusal is never a pass).</param>
    public static async Task<Outcome> RunAsync(IReadOnlyList<UploadCase> cases, CaseRunner runner, CliContext context,
        Action<long, long>? progress = null, Func<CaseResult, CaseResult>? verb = null)
    {
        var stdout = context.Out;
        var results = new List<CaseResult>();
        var idWidth = Math.Max(20, cases.Max(c => c.Id.Length));
        foreach (var @case in cases)
        {
            CaseResult result;
            try
            {
                result = await runner.RunAsync(@case, context.Token, progress);
            }
            catch (OperationCanceledException) when (context.Token.IsCancellationRequested)
            {
                return new Outcome(results, context.Stop.Reason, context.Stop.ExitCode);
            }
            if (verb is not null) result = verb(result);
            // The header goes over the first row, after whatever the case printed while it ran (progress).
            if (results.Count == 0) stdout.WriteLine(ConsoleSummary.CaseHeader(idWidth));
            results.Add(result);
            stdout.WriteLine(ConsoleSummary.CaseRow(result, idWidth));
            if (result.Crash is { Recovered: false })
                return new Outcome(results, $"target stopped answering after {result.Id} and did not come back",
                    ExitCodes.Unreachable);
        }
        return new Outcome(results, null, ExitCodes.Ok);
    }

    /// <summary>Writes results.json and the reports for what ran, prints the totals, and returns the exit
    /// code.</summary>
    public static async Task<int> FinishAsync(RunRecord record, Outcome run, CliContext context,
        LoadResults? load = null)
    {
        var document = record.Document(run.Results, load, run.Interrupted);
        var s = document.Summary;
        var stdout = context.Out;
        stdout.WriteLine();
        foreach (var line in ConsoleSummary.Causes(document)) stdout.WriteLine(line);
        stdout.WriteLine(ConsoleSummary.Totals(s, document.Run.DurationMs / 1000));
        if (run.Interrupted is { } why) stdout.WriteLine(
            $"stopped early: {UntrustedText.ForTerminal(why)}; the results gathered so far were written");
        await RunOutput.WriteAsync(document, record.Folder, stdout);
        if (run.Interrupted is not null) return run.InterruptedExitCode;
        return s.Fail > 0 ? ExitCodes.Failures : ExitCodes.Ok;
    }
}

/// <summary>What every run records about itself, taken at its start; <see cref="Document"/> builds the
/// results document for any verb from it, so each verb fills the same fields the same way.</summary>
public sealed record RunRecord(string Verb, DateTimeOffset Started, string Folder, Target Target, int Seed)
{
    public bool DescribeProfile { get; init; }
    public string? Selection { get; init; }

    public ResultsDocument Document(IReadOnlyList<CaseResult> cases, LoadResults? load, string? interrupted)
    {
        var finished = DateTimeOffset.Now;
        var tls = Target.Tls;
        return ResultsDocument.For(new RunInfo
            {
                Id = Path.GetFileName(Folder),
                Verb = Verb,
                StartedAt = Started,
                FinishedAt = finished,
                DurationMs = Math.Round((finished - Started).TotalMilliseconds, 1),
                Target = new TargetInfo(Target.UploadUrl.ToString(), Target.Embedded),
                Seed = Seed,
                Profile = DescribeProfile ? ProfileInfo.Of(Target.Profile) : null,
                Tls = Target.UploadUrl.Scheme == Uri.UriSchemeHttps || tls.Insecure
                || tls.Http != System.Net.HttpVersion.Version11
                    ? TlsInfo.Of(tls)
                    : null,
                Selection = Selection,
                Interrupted = interrupted,
            }, cases, load);
    }
}

/// <summary>results.json first (the record everything else is rebuilt from), then every report; a
/// report that fails to render is named on the console and the others are still written.</summary>
public static class RunOutput
{
    public static async Task WriteAsync(ResultsDocument document, string folder, TextWriter stdout)
    {
        stdout.WriteLine($"results: {await ResultsFile.WriteAsync(document, folder)}");
        var written = await ReportSet.WriteAsync(document, folder);
        foreach (var failure in written.Failures)
            stdout.WriteLine(
                $"report {failure.FileName} could not be written: {UntrustedText.ForTerminal(failure.Problem)}");
        if (written.Paths.FirstOrDefault(p =>
            p.EndsWith(SummaryMarkdown.Name, StringComparison.Ordinal)) is { } summary)
            stdout.WriteLine($"summary: {summary}");
        if (written.Paths.FirstOrDefault(p => p.EndsWith(HtmlReport.Name, StringComparison.Ordinal)) is { } html)
            stdout.WriteLine($"report:  {html}");
    }
}
