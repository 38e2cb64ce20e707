using System.Globalization;
using UploadConformance.Load;
using UploadConformance.Text;
using UploadConformance.Verification;

namespace UploadConformance.Reporting;

/// <summary>The console's rendering of the summary model: a line per case as it finishes, the live
/// progress line of a load run, and the load table. Text a target sent is escaped for the terminal.</summary>
public static class ConsoleSummary
{
    private const int VerdictWidth = 13;

    public static string CaseHeader(int idWidth) =>
        $"  {"verdict".PadRight(VerdictWidth)} {"case".PadRight(idWidth)} {"status",6} {"client saw",-28} {"ms",8}";

    public static string CaseRow(CaseResult c, int idWidth)
    {
        var verdict = VerdictWords.Word(c.Verdict).ToUpperInvariant();
        var line = $"  {verdict.PadRight(VerdictWidth)} {c.Id.PadRight(idWidth)} "
            + $"{c.Outcome.Status?.ToString(CultureInfo.InvariantCulture) ?? "-",6} "
            + $"{UntrustedText.ForTerminal(c.Outcome.ErrMsg),-28} {c.Outcome.ElapsedMs,8:0}";
        return c.Reason.Length == 0 ? line
            : $"{line}\n  {"".PadRight(VerdictWidth)} └ {UntrustedText.ForTerminal(c.Reason)}";
    }

    public static string Totals(Results.VerdictCounts s, double seconds) =>
        $"{s.Total} case{(s.Total == 1 ? "" : "s")}: {s.Pass} pass, {s.NonStrict} non-strict, {s.Fail} fail, "
        + $"{s.Informational} informational in {seconds:0.0} s"
        + (s.Crashes > 0 ? $"; the server crashed {s.Crashes} time{(s.Crashes == 1 ? "" : "s")}" : "");

    /// <summary>"25 fail from 6 causes", then each cause with its cases, an example and its hint.</summary>
    public static IEnumerable<string> Causes(Results.ResultsDocument d)
    {
        if (d.Causes.Count == 0) yield break;
        var s = d.Summary;
        var failCauses = d.Causes.Count(c => c.Verdict == Verdict.Fail);
        var parts = new List<string>();
        if (s.Fail > 0) parts.Add($"{s.Fail} fail from {failCauses} cause{(failCauses == 1 ? "" : "s")}");
        if (s.NonStrict > 0) parts.Add(
            $"{s.NonStrict} non-strict from {d.Causes.Count - failCauses} "
            + $"cause{(d.Causes.Count - failCauses == 1 ? "" : "s")}");
        yield return string.Join(", ", parts) + ":";
        foreach (var cause in d.Causes)
        {
            var cases = cause.Cases.Count <= 4 ? string.Join(", ", cause.Cases)
                : $"{string.Join(", ", cause.Cases.Take(3))} and {cause.Cases.Count - 3} more";
            yield return $"  #{cause.Id} {VerdictWords.Word(cause.Verdict)} ×{cause.Cases.Count}: {cases}";
            yield return $"     e.g. {UntrustedText.ForTerminal(UntrustedText.Excerpt(cause.Example, 200))}";
            if (cause.Hint is { } hint) yield return $"     hint: {hint}";
        }
        foreach (var crash in d.Crashes)
            yield return $"  crash after {crash.Case}: down {crash.DownMs / 1000:0.0} "
                + $"s{(crash.Recovered ? ", then back" : ", never back")}";
        yield return "";
    }

    public static string Progress(LoadProgress p) =>
        $"  [{p.Elapsed.TotalSeconds,4:0}s{(p.Planned is { } planned ? $" / {planned.TotalSeconds:0}s" : "")}]  rps "
        + $"{p.Rps,6:0.0}  "
        + $"requests {p.Requests,7}  failed {p.Failed,5}  dropped {p.Dropped,5}  p99 {p.P99Ms,8:0.0} ms  in flight "
            + $"{p.InFlight,4}";

    public static IEnumerable<string> Load(LoadSummary load)
    {
        foreach (var line in Rows(load.Table)) yield return line;
        if (load.Phases is { } phases)
        {
            yield return "";
            foreach (var line in Rows(phases)) yield return line;
        }
        if (load.Workers is { } workers)
        {
            yield return "";
            foreach (var line in Rows(workers)) yield return line;
        }
        if (load.Errors.Count > 0) yield return $"  errors: "
            + $"{string.Join(", ", load.Errors.Select(e => $"{e.Key} {e.Value}"))}";
        if (load.RetriedLine is { } retried) yield return $"  {retried}";
        foreach (var t in load.Thresholds)
            yield return $"  {(t.Passed ? "PASS" : "FAIL")}  {t.Text}  (actual "
                + $"{t.ActualText})";
    }

    /// <summary>A summary table as aligned columns, text from a target escaped; a column widens to its
    /// longest cell (a request name over 20 characters), so the columns stay under their headers.</summary>
    private static IEnumerable<string> Rows(Reporting.SummaryTable table)
    {
        var rows = table.Rows.Select(row => row.Select(UntrustedText.ForTerminal).ToList()).ToList();
        var widths = table.Columns.Select((c, i) =>
            rows.Select(r => r[i].Length).Append(c.Header.Length).Append(c.Width).Max()).ToList();
        string Line(IReadOnlyList<string> cells) => "  " + string.Join(" ", table.Columns.Select((c, i) =>
            c.Numeric ? cells[i].PadLeft(widths[i]) : cells[i].PadRight(widths[i])));
        yield return Line(table.Columns.Select(c => c.Header).ToList());
        foreach (var row in rows) yield return Line(row);
    }
}
