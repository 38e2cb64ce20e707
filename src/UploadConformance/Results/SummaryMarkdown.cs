using System.Text;
using UploadConformance.Verification;

namespace UploadConformance.Results;

/// <summary>summary.md: short enough for a CI job summary, with every non-pass and its reason.</summary>
public static class SummaryMarkdown
{
    public const string FileName = "summary.md";

    public static string Render(ResultsDocument document)
    {
        var run = document.Run;
        var s = document.Summary;
        var md = new StringBuilder();
        md.AppendLine($"# UploadConformance: {(s.Fail == 0 && run.Interrupted is null ? "✅ all verified" : s.Fail > 0 ? $"❌ {s.Fail} failed" : "⚠️ interrupted")}");
        md.AppendLine();
        md.AppendLine($"Target `{run.Target.Url}`{(run.Target.Embedded ? " (embedded reference server)" : "")} · seed {run.Seed} · {run.DurationMs / 1000:0.0} s · {run.StartedAt:yyyy-MM-dd HH:mm:ss zzz}");
        if (run.Interrupted is { } why) md.AppendLine().AppendLine($"**Interrupted:** {why}");
        md.AppendLine();
        md.AppendLine($"| total | pass | non-strict | fail | informational |");
        md.AppendLine($"|---:|---:|---:|---:|---:|");
        md.AppendLine($"| {s.Total} | {s.Pass} | {s.NonStrict} | {s.Fail} | {s.Informational} |");
        md.AppendLine();
        md.AppendLine("| case | verdict | status | client saw | ms | reason |");
        md.AppendLine("|---|---|---:|---|---:|---|");
        foreach (var c in document.Cases)
        {
            md.AppendLine($"| `{c.Id}` | {Badge(c.Verdict)} | {c.Outcome.Status?.ToString() ?? "–"} | {c.Outcome.ErrMsg} | {c.Outcome.ElapsedMs:0} | {Cell(c.Reason)} |");
        }
        return md.ToString();
    }

    public static async Task<string> WriteAsync(ResultsDocument document, string directory)
    {
        var path = Path.Combine(directory, FileName);
        await File.WriteAllTextAsync(path, Render(document), new UTF8Encoding(false)).ConfigureAwait(false);
        return path;
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
