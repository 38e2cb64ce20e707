using System.Text;
using UploadConformance.Results;
using UploadConformance.Text;
using UploadConformance.Verification;

namespace UploadConformance.Reporting;

/// <summary>Several runs side by side: a case × run matrix of verdicts (Autobahn-style), and each
/// load run against the first as baseline. A regression is a verdict that got worse than in the
/// first run (pass → non-strict → fail), or a load metric worse beyond the tolerance.</summary>
public sealed class Comparison(IReadOnlyList<(string Label, ResultsDocument Document)> runs, double tolerancePercent)
{
    public sealed record LoadDelta(string Run, string Metric, double Baseline, double Candidate, double ChangePercent,
        bool Regression);

    public sealed record VerdictChange(string CaseId, string Run, Verdict Baseline, Verdict Candidate, string Reason);

    public bool HasRegression => VerdictRegressions().Count > 0 || LoadDeltas().Any(d => d.Regression);

    /// <summary>Cases whose verdict in a later run is worse than in the first run.</summary>
    public IReadOnlyList<VerdictChange> VerdictRegressions()
    {
        if (runs.Count < 2) return [];
        var baseline = runs[0].Document.Cases.ToDictionary(c => c.Id);
        return runs.Skip(1)
            .SelectMany(r => r.Document.Cases
                .Where(c => baseline.TryGetValue(c.Id, out var b) && Grade.Rank(c.Verdict) > Grade.Rank(b.Verdict))
                .Select(c => new VerdictChange(c.Id, r.Label, baseline[c.Id].Verdict, c.Verdict, c.Reason)))
            .ToList();
    }

    public IReadOnlyList<LoadDelta> LoadDeltas()
    {
        var loaded = runs.Where(r => r.Document.Load is not null).ToList();
        if (loaded.Count < 2) return [];
        var baseline = loaded[0].Document.Load!.All;
        var deltas = new List<LoadDelta>();
        foreach (var (label, document) in loaded.Skip(1))
        {
            var c = document.Load!.All;
            // Another scenario's figures are shown beside the baseline, never judged against it.
            var comparable = SameScenario(loaded[0].Document, document);
            // Lower is better for latencies and errors, higher for throughput.
            (string, double, double, bool)[] metrics =
            [
                ("rps", baseline.Rps, c.Rps, true),
                ("p50 ms", baseline.Latency.P50, c.Latency.P50, false),
                ("p95 ms", baseline.Latency.P95, c.Latency.P95, false),
                ("p99 ms", baseline.Latency.P99, c.Latency.P99, false),
                ("error rate %", baseline.ErrorRatePercent, c.ErrorRatePercent, false),
                // Where the time went, when both runs recorded it: the phase that got slower names the cause.
                .. baseline.Phases is { } bp && c.Phases is { } cp
                    ? new (string, double, double, bool)[]
                    {
                        ("sending p99 ms", bp.Sending.P99, cp.Sending.P99, false),
                        ("waiting p99 ms", bp.Waiting.P99, cp.Waiting.P99, false),
                    }
                    : [],
            ];
            foreach (var (metric, b, v, higherIsBetter) in metrics)
            {
                var change = b == 0 ? (v == 0 ? 0 : 100) : (v - b) / b * 100;
                var worse = higherIsBetter ? -change : change;
                deltas.Add(new LoadDelta(label, metric, b, v, Math.Round(change, 1),
                    comparable && worse > tolerancePercent));
            }
        }
        return deltas;
    }

    /// <summary>Load runs of another scenario than the first load run's: "B ran scenario 'soak', not
    /// 'smoke'".</summary>
    public IReadOnlyList<string> ScenarioMismatches()
    {
        var loaded = runs.Select((r, i) => (r, i)).Where(x => x.r.Document.Load is not null).ToList();
        if (loaded.Count < 2) return [];
        var baseline = loaded[0].r.Document;
        return loaded.Skip(1).Where(x => !SameScenario(baseline, x.r.Document))
            .Select(x => $"{Letter(x.i)} ({x.r.Label}) ran scenario '{x.r.Document.Load!.Scenario}', not "
                + $"'{baseline.Load!.Scenario}': its load figures are shown, not judged as regressions").ToList();
    }

    private static bool SameScenario(ResultsDocument baseline, ResultsDocument candidate) =>
        baseline.Load?.Scenario == candidate.Load?.Scenario;

    private static string Letter(int i) => ((char)('A' + i)).ToString();

    public string RenderHtml()
    {
        static string E(string? text) => HtmlReport.E(text);
        var html = new StringBuilder();
        html.Append(
            "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>UploadConformance · "
            + "comparison</title>");
        html.Append($"<style>{HtmlReport.Style}</style></head><body>");
        html.Append(
            $"<header><h1>UploadConformance comparison</h1><div class=\"facts\">{runs.Count} runs · tolerance "
            + $"{tolerancePercent:0.#}%<br>");
        html.Append(string.Join("<br>",
            runs.Select((r, i) =>
            $"{Letter(i)}: {E(r.Label)} · {E(r.Document.Run.Target.Url)} · "
            + $"{r.Document.Run.StartedAt:yyyy-MM-dd HH:mm}")));
        html.Append("</div></header><main>");
        foreach (var mismatch in ScenarioMismatches()) html.Append($"<p class=\"muted\">⚠ {E(mismatch)}</p>");
        var regressions = VerdictRegressions();
        if (regressions.Count > 0)
        {
            html.Append(
                "<h2>Verdicts that got "
                + "worse</h2><table><tr><th>case</th><th>run</th><th>was</th><th>now</th><th>reason</th></tr>");
            foreach (var r in regressions)
                html.Append($"<tr><td><code>{E(r.CaseId)}</code></td><td>{E(r.Run)}</td><td><span class=\"badge "
                    + $"{HtmlReport.Css(r.Baseline)}\">{HtmlReport.Css(r.Baseline)}</span></td>"
                    + $"<td><span class=\"badge "
                        + $"{HtmlReport.Css(r.Candidate)}\">{HtmlReport.Css(r.Candidate)}</span></td>"
                        + $"<td>{E(r.Reason)}</td></tr>");
            html.Append("</table>");
        }
        var ids = runs.SelectMany(r => r.Document.Cases.Select(c => c.Id)).Distinct().ToList();
        if (ids.Count > 0)
        {
            html.Append("<h2>Conformance, case by case</h2><table><tr><th>case</th>");
            for (var i = 0; i < runs.Count; i++) html.Append($"<th>{Letter(i)}</th>");
            html.Append("</tr>");
            foreach (var id in ids)
            {
                var verdicts = runs.Select(r => r.Document.Cases.FirstOrDefault(c => c.Id == id)).ToList();
                var differ = verdicts.Select(v => v?.Verdict).Distinct().Count() > 1;
                html.Append($"<tr><td>{(differ ? "<b>" : "")}<code>{E(id)}</code>{(differ ? "</b>" : "")}</td>");
                foreach (var v in verdicts)
                    html.Append(v is null ? "<td class=\"muted\">–</td>"
                        : $"<td><span class=\"badge {HtmlReport.Css(v.Verdict)}\" "
                            + $"title=\"{E(v.Reason)}\">{HtmlReport.Css(v.Verdict)}</span></td>");
                html.Append("</tr>");
            }
            html.Append("</table>");
        }
        var deltas = LoadDeltas();
        if (deltas.Count > 0)
        {
            html.Append(
                "<h2>Load, against the first run</h2><table><tr><th>run</th><th>metric</th><th "
                + "class=\"num\">baseline</th>");
            html.Append("<th class=\"num\">this run</th><th class=\"num\">change</th><th></th></tr>");
            foreach (var d in deltas)
                html.Append(
                    $"<tr><td>{E(d.Run)}</td><td>{E(d.Metric)}</td><td class=\"num\">{d.Baseline:0.##}</td><td "
                    + $"class=\"num\">{d.Candidate:0.##}</td>"
                    + $"<td class=\"num\">{d.ChangePercent:+0.#;-0.#;0}%</td>"
                    + (d.Regression ? "<td><span class=\"badge fail\">regression</span></td></tr>" : "<td></td></tr>"));
            html.Append("</table>");
        }
        html.Append("</main></body></html>");
        return html.ToString();
    }

    public string RenderMarkdown()
    {
        static string Cell(string? text) => UntrustedText.ForTerminal(text);
        var md = new StringBuilder("# UploadConformance comparison\n\n");
        for (var i = 0; i < runs.Count; i++) md.Append(
            $"- {Letter(i)}: {runs[i].Label} (`{Cell(runs[i].Document.Run.Target.Url)}`)\n");
        foreach (var mismatch in ScenarioMismatches()) md.Append($"\n⚠ {Cell(mismatch)}\n");
        // Regressions first: they are what a reviewer of a deploy looks for.
        var regressions = VerdictRegressions();
        if (regressions.Count > 0) md.Append($"\n{regressions.Count} verdicts got worse than in {Letter(0)}:\n");
        foreach (var r in regressions)
            md.Append(
                $"- ❌ regression in {r.Run}: `{r.CaseId}` {VerdictWords.Word(r.Baseline)} → "
                + $"{VerdictWords.Word(r.Candidate)} ({Cell(r.Reason)})\n");
        foreach (var d in LoadDeltas().Where(d => d.Regression))
            md.Append(
                $"- ❌ regression in {d.Run}: {d.Metric} {d.Baseline:0.##} → {d.Candidate:0.##} "
                + $"({d.ChangePercent:+0.#;-0.#;0}%)\n");
        var differing = runs.SelectMany(r => r.Document.Cases.Select(c => c.Id)).Distinct()
            .Where(id =>
                runs.Select(r =>
                r.Document.Cases.FirstOrDefault(c => c.Id == id)?.Verdict).Distinct().Count() > 1).ToList();
        md.Append($"\n{differing.Count} cases differ between runs.\n");
        foreach (var id in differing)
        {
            var cells =
                runs.Select((r, i) =>
                Letter(i) + " "
                + (r.Document.Cases.FirstOrDefault(c => c.Id == id) is { } c ? VerdictWords.Word(c.Verdict) : "–"));
            md.Append($"- `{id}`: {string.Join(" · ", cells)}\n");
        }
        return md.ToString();
    }

    public const string MatrixName = "matrix.md";

    /// <summary>Every case × every run as one Markdown table (Autobahn's case matrix), with each run's
    /// totals first: what <c>docs/stacks.md</c> is generated from. A cell a case is missing from is "–".</summary>
    public string RenderMatrixMarkdown()
    {
        static string Cell(string? text) => UntrustedText.ForTerminal(text).Replace("|", "\\|");
        static string Word(Verdict v) => v == Verdict.Fail ? "**fail**" : VerdictWords.Word(v);
        var md = new StringBuilder();
        md.Append("| case | ").AppendJoin(" | ", runs.Select(r => Cell(r.Label))).Append(" |\n");
        md.Append("|---|").Append(string.Concat(runs.Select(_ => "---|"))).Append('\n');
        md.Append("| *pass / non-strict / fail / informational* | ").AppendJoin(" | ", runs.Select(r =>
        {
            var s = r.Document.Summary;
            return $"{s.Pass} / {s.NonStrict} / {s.Fail} / {s.Informational}";
        })).Append(" |\n");
        var byId = runs.Select(r => r.Document.Cases.ToDictionary(c => c.Id)).ToList();
        foreach (var id in runs.SelectMany(r => r.Document.Cases.Select(c => c.Id)).Distinct())
            md.Append($"| `{id}` | ").AppendJoin(" | ", byId.Select(cases =>
                cases.TryGetValue(id, out var c) ? Word(c.Verdict) : "–")).Append(" |\n");
        return md.ToString();
    }
}
