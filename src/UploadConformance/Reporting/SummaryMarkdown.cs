using System.Text;
using UploadConformance.Results;
using UploadConformance.Text;
using UploadConformance.Verification;

namespace UploadConformance.Reporting;

/// <summary>summary.md: short enough for a CI job summary, with every non-pass and its reason.</summary>
public sealed class SummaryMarkdown : IReportWriter
{
    public const string Name = "summary.md";

    public string FileName => Name;

    string IReportWriter.Render(ResultsDocument document) => Render(document);

    public static string Render(ResultsDocument document)
    {
        var run = document.Run;
        var summary = RunSummary.Of(document);
        var md = new StringBuilder();
        var mark = summary.Kind switch { HeadlineKind.Verified => "✅", HeadlineKind.Failed => "❌", _ => "⚠️" };
        md.Append($"# UploadConformance: {mark} {summary.Headline}\n\n");
        md.Append(
            $"Target `{Cell(run.Target.Url)}`{(run.Target.Embedded ? " (embedded reference server)" : "")} · seed "
            + $"{run.Seed}"
            + $" · {run.DurationMs / 1000:0.0} s · {run.StartedAt:yyyy-MM-dd HH:mm:ss zzz}\n");
        if (run.Tls is { Insecure: true }) md.Append("\n**⚠️ --insecure: TLS certificates were NOT checked.**\n");
        if (run.Interrupted is { } why) md.Append($"\n**Interrupted:** {Cell(why)}\n");
        md.Append('\n');
        if (summary.Verdicts is { } s)
        {
            md.Append("| total | pass | non-strict | fail | informational |\n|---:|---:|---:|---:|---:|\n");
            md.Append($"| {s.Total} | {s.Pass} | {s.NonStrict} | {s.Fail} | {s.Informational} |\n\n");
        }
        if (summary.Load is { } load) AppendLoad(md, load);
        if (document.Cases.Count == 0) return md.ToString();
        AppendCauses(md, document);
        md.Append("| case | verdict | status | client saw | ms | reason |\n|---|---|---:|---|---:|---|\n");
        foreach (var c in document.Cases)
            md.Append($"| `{c.Id}` | {Badge(c.Verdict)} | {c.Outcome.Status?.ToString() ?? "–"} | "
                + $"{Cell(c.Outcome.ErrMsg)} | {c.Outcome.ElapsedMs:0} | {Cell(c.Reason)} |\n");
        return md.ToString();
    }

    /// <summary>Non-passes grouped by cause, most cases first, with the usual fix where it is known.</summary>
    private static void AppendCauses(StringBuilder md, ResultsDocument d)
    {
        if (d.Causes.Count == 0 && d.Crashes.Count == 0) return;
        var s = d.Summary;
        var failCauses = d.Causes.Count(c => c.Verdict == Verdict.Fail);
        md.Append(
            $"## {s.Fail} fail from {failCauses} cause{(failCauses == 1 ? "" : "s")}, {s.NonStrict} non-strict from "
            + $"{d.Causes.Count - failCauses}\n\n");
        foreach (var cause in d.Causes)
        {
            md.Append(
                $"{cause.Id}. {Badge(cause.Verdict)} ×{cause.Cases.Count}: "
                + $"{string.Join(", ", cause.Cases.Select(c => $"`{c}`"))}  \n");
            md.Append($"   e.g. {Cell(UntrustedText.Excerpt(cause.Example, 240))}\n");
            if (cause.Hint is { } hint) md.Append($"   **Hint:** {Cell(hint)}\n");
        }
        foreach (var crash in d.Crashes)
            md.Append(
                $"- 💥 the server died after `{crash.Case}` and was "
                + $"{(crash.Recovered ? $"back after {crash.DownMs / 1000:0.0} s" : "not back")}\n");
        md.Append('\n');
    }

    private static void AppendLoad(StringBuilder md, LoadSummary load)
    {
        md.Append($"## Load: `{Cell(load.Scenario)}` ({load.Model} model, {load.DurationSeconds:0.0} s)\n\n");
        AppendTable(md, load.Table);
        if (load.Phases is { } phases)
        {
            md.Append("\nWhere the time went (ms; sending ends at the last byte, waiting is the server's after "
                + "it):\n\n");
            AppendTable(md, phases);
        }
        if (load.Workers is { } workers)
        {
            md.Append($"\n{workers.Rows.Count} load generators:\n\n");
            AppendTable(md, workers);
        }
        if (load.Thresholds.Count > 0)
        {
            md.Append('\n');
            foreach (var t in load.Thresholds) md.Append(
                $"- {(t.Passed ? "✅" : "❌")} `{Cell(t.Text)}` (actual {t.ActualText})\n");
        }
        md.Append('\n');
    }

    private static void AppendTable(StringBuilder md, SummaryTable table)
    {
        var columns = table.Columns;
        md.Append("| ").Append(string.Join(" | ", columns.Select(c => c.Header))).Append(" |\n");
        md.Append('|').Append(string.Join("|", columns.Select(c => c.Numeric ? "---:" : "---"))).Append("|\n");
        foreach (var row in table.Rows) md.Append("| ").Append(string.Join(" | ", row.Select(Cell))).Append(" |\n");
    }

    private static string Badge(Verdict v) => v switch
    {
        Verdict.Pass => "✅ ",
        Verdict.NonStrict => "🟡 ",
        Verdict.Fail => "❌ ",
        _ => "ℹ️ ",
    } + VerdictWords.Word(v);

    private static string Cell(string text) => UntrustedText.ForTerminal(text).Replace("|", "\\|").Replace("`", "'");
}
