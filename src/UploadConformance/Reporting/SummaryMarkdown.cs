using System.Text;
using UploadConformance.Verification;

using UploadConformance.Results;

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
        var s = document.Summary;
        var md = new StringBuilder();
        var breached = document.Load?.Thresholds.Count(t => !t.Passed) ?? 0;
        md.AppendLine($"# UploadConformance: {(run.Interrupted is not null ? "⚠️ interrupted" : s.Fail > 0 ? $"❌ {s.Fail} failed" : breached > 0 ? $"❌ {breached} thresholds breached" : "✅ all verified")}");
        md.AppendLine();
        md.AppendLine($"Target `{run.Target.Url}`{(run.Target.Embedded ? " (embedded reference server)" : "")} · seed {run.Seed} · {run.DurationMs / 1000:0.0} s · {run.StartedAt:yyyy-MM-dd HH:mm:ss zzz}");
        if (run.Tls is { Insecure: true }) md.AppendLine().AppendLine("**⚠️ --insecure: TLS certificates were NOT checked.**");
        if (run.Interrupted is { } why) md.AppendLine().AppendLine($"**Interrupted:** {why}");
        md.AppendLine();
        if (s.Total > 0)
        {
            md.AppendLine($"| total | pass | non-strict | fail | informational |");
            md.AppendLine($"|---:|---:|---:|---:|---:|");
            md.AppendLine($"| {s.Total} | {s.Pass} | {s.NonStrict} | {s.Fail} | {s.Informational} |");
            md.AppendLine();
        }
        if (document.Load is { } load) AppendLoad(md, load);
        if (document.Cases.Count == 0) return md.ToString();
        md.AppendLine("| case | verdict | status | client saw | ms | reason |");
        md.AppendLine("|---|---|---:|---|---:|---|");
        foreach (var c in document.Cases)
        {
            md.AppendLine($"| `{c.Id}` | {Badge(c.Verdict)} | {c.Outcome.Status?.ToString() ?? "–"} | {c.Outcome.ErrMsg} | {c.Outcome.ElapsedMs:0} | {Cell(c.Reason)} |");
        }
        return md.ToString();
    }

    private static void AppendLoad(StringBuilder md, LoadResults load)
    {
        md.AppendLine($"## Load: `{load.Scenario}` ({load.Model} model, {load.DurationMs / 1000:0.0} s)");
        md.AppendLine();
        md.AppendLine("| name | requests | ok | failed | dropped | rps | p50 ms | p95 ms | p99 ms | max ms | service p99 ms |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var n in load.Names.Append(load.All))
            md.AppendLine($"| {n.Name} | {n.Requests} | {n.Ok} | {n.Failed} | {n.Dropped} | {n.Rps:0.0} | {n.Latency.P50:0.0} | {n.Latency.P95:0.0} | {n.Latency.P99:0.0} | {n.Latency.Max:0.0} | {n.ServiceTime.P99:0.0} |");
        if (load.Thresholds.Count > 0)
        {
            md.AppendLine();
            foreach (var t in load.Thresholds) md.AppendLine($"- {(t.Passed ? "✅" : "❌")} `{t.Text}` (actual {t.Actual:0.###})");
        }
        md.AppendLine();
    }

    private static string Badge(Verdict v) => v switch
    {
        Verdict.Pass => "✅ pass",
        Verdict.NonStrict => "🟡 non-strict",
        Verdict.Fail => "❌ fail",
        _ => "ℹ️ info",
    };

    private static string Cell(string text) => text.Replace("|", "\\|").ReplaceLineEndings(" ");
}
