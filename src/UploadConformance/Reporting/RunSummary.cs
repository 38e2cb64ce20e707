using System.Globalization;
using UploadConformance.Load;
using UploadConformance.Results;
using UploadConformance.Verification;

namespace UploadConformance.Reporting;

/// <summary>The one summary of a run that every output renders, the console included (as
/// BenchmarkDotNet builds one SummaryTable for all its exporters): the headline, the verdict counts,
/// and the load table with its columns. A figure shown in two places is computed here once.</summary>
public sealed record RunSummary(HeadlineKind Kind, string Headline, VerdictCounts? Verdicts, LoadSummary? Load)
{
    public static RunSummary Of(ResultsDocument d)
    {
        var breached = d.Load?.Thresholds.Count(t => !t.Passed) ?? 0;
        var (kind, headline) = d.Run.Interrupted is not null ? (HeadlineKind.Interrupted, "interrupted")
            : d.Summary.Fail > 0 ? (HeadlineKind.Failed, $"{d.Summary.Fail} failed")
            : breached > 0 ? (HeadlineKind.Failed, $"{breached} threshold{(breached == 1 ? "" : "s")} breached")
            : (HeadlineKind.Verified, "all verified");
        return new RunSummary(kind, headline, d.Summary.Total > 0 ? d.Summary : null, d.Load is { } l ? OfLoad(l)
            : null);
    }

    public static LoadSummary OfLoad(LoadResults load) => new(
        load.Scenario, load.Model, load.DurationMs / 1000, LoadTable.Of(load.Names.Append(load.All)), load.Thresholds,
        load.All.Errors)
    {
        Workers = load.Workers is { Count: > 0 } workers ? WorkerTable.Of(workers) : null,
        Retried = load.All.Retried ?? new Dictionary<string, long>(),
        Phases = load.Names.Append(load.All).Any(n => n.Phases is not null)
            ? PhaseTable.Of(load.Names.Append(load.All)) : null,
    };
}

public enum HeadlineKind { Verified, Failed, Interrupted }

public sealed record LoadSummary(string Scenario, string Model, double DurationSeconds, SummaryTable Table,
    IReadOnlyList<ThresholdResult> Thresholds, IReadOnlyDictionary<string, long> Errors)
{
    /// <summary>A split run's generators, one row each; null for one machine's run.</summary>
    public SummaryTable? Workers { get; init; }
    /// <summary>Where the time went, per request name; null when no upload was answered (or the file is older).
    /// </summary>
    public SummaryTable? Phases { get; init; }
    /// <summary>Requests sent twice because the server never processed the first, by reason.</summary>
    public IReadOnlyDictionary<string, long> Retried { get; init; } = new Dictionary<string, long>();

    /// <summary>The retries in one line, or null when there were none.</summary>
    public string? RetriedLine => Retried.Count == 0 ? null : "retried (never processed by the server, sent again "
        + $"as browsers do): {string.Join(", ", Retried.Select(r => $"{r.Key} {r.Value}"))}";
}

public sealed record SummaryColumn(string Header, bool Numeric, int Width);

/// <summary>Columns and rows of text, ready for any exporter.</summary>
public sealed record SummaryTable(IReadOnlyList<SummaryColumn> Columns, IReadOnlyList<IReadOnlyList<string>> Rows);

/// <summary>The per-request-name load table: one row per name, then the total.</summary>
public static class LoadTable
{
    private static readonly (SummaryColumn Column, Func<LoadNameResults, string> Cell)[] Columns =
    [
        (new("name", false, 20), n => n.Name),
        (new("requests", true, 9), n => I(n.Requests)),
        (new("ok", true, 8), n => I(n.Ok)),
        (new("failed", true, 7), n => I(n.Failed)),
        (new("dropped", true, 7), n => I(n.Dropped)),
        (new("rps", true, 8), n => F(n.Rps)),
        (new("p50 ms", true, 8), n => F(n.Latency.P50)),
        (new("p95 ms", true, 8), n => F(n.Latency.P95)),
        (new("p99 ms", true, 8), n => F(n.Latency.P99)),
        (new("p99.9 ms", true, 8), n => F(n.Latency.P999)),
        (new("max ms", true, 8), n => F(n.Latency.Max)),
        (new("service p99 ms", true, 14), n => F(n.ServiceTime.P99)),
        (new("MiB sent", true, 9), n => F(n.BytesSent / 1048576.0)),
    ];

    public static SummaryTable Of(IEnumerable<LoadNameResults> rows) => new(
        Columns.Select(c => c.Column).ToList(),
        rows.Select(r => (IReadOnlyList<string>)Columns.Select(c => c.Cell(r)).ToList()).ToList());

    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);

    private static string F(double v) => v.ToString("0.0", CultureInfo.InvariantCulture);
}

/// <summary>Where answered uploads' time went, per request name: the wait for a connection, sending, the
/// server's processing after the last byte, receiving, and the upload bandwidth.</summary>
public static class PhaseTable
{
    private static readonly (SummaryColumn Column, Func<PhaseResults, string> Cell)[] Columns =
    [
        (new("blocked p99", true, 11), p => F(p.Blocked.P99)),
        (new("sending p50", true, 11), p => F(p.Sending.P50)),
        (new("sending p99", true, 11), p => F(p.Sending.P99)),
        (new("waiting p50", true, 11), p => F(p.Waiting.P50)),
        (new("waiting p99", true, 11), p => F(p.Waiting.P99)),
        (new("receiving p99", true, 13), p => F(p.Receiving.P99)),
        (new("upload MB/s p50", true, 15), p =>
            (p.UploadKBps.P50 / 1000).ToString("0.00", CultureInfo.InvariantCulture)),
    ];

    public static SummaryTable Of(IEnumerable<LoadNameResults> rows) => new(
        [new("phases ms", false, 20), .. Columns.Select(c => c.Column)],
        rows.Where(r => r.Phases is not null).Select(r =>
            (IReadOnlyList<string>)[r.Name, .. Columns.Select(c => c.Cell(r.Phases!))]).ToList());

    private static string F(double v) => v.ToString("0.0", CultureInfo.InvariantCulture);
}

/// <summary>The per-worker table of a split run: what each generator sent, so a slow or unlucky one
/// shows.</summary>
public static class WorkerTable
{
    private static readonly (SummaryColumn Column, Func<WorkerResults, string> Cell)[] Columns =
    [
        (new("worker", false, 6), w => w.Segment),
        (new("name", false, 20), w => w.Name),
        (new("requests", true, 9), w => I(w.Requests)),
        (new("ok", true, 8), w => I(w.Ok)),
        (new("failed", true, 7), w => I(w.Failed)),
        (new("dropped", true, 7), w => I(w.Dropped)),
        (new("MiB sent", true, 9), w => (w.BytesSent / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture)),
        (new("connections", true, 11), w => I(w.Connections)),
        (new("clock offset ms", true, 15), w =>
            w.ClockOffsetMs?.ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture) ?? "-"),
        (new("s", true, 6), w => (w.DurationMs / 1000).ToString("0.0", CultureInfo.InvariantCulture)),
        (new("state", false, 10), w => w.Lost ?? "finished"),
    ];

    public static SummaryTable Of(IEnumerable<WorkerResults> workers) => new(
        Columns.Select(c => c.Column).ToList(),
        workers.Select(w => (IReadOnlyList<string>)Columns.Select(c => c.Cell(w)).ToList()).ToList());

    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The words a verdict is written with, everywhere: results.json, console, reports, CSV.</summary>
public static class VerdictWords
{
    public static string Word(Verdict verdict) => verdict switch
    {
        Verdict.Pass => "pass",
        Verdict.NonStrict => "non-strict",
        Verdict.Fail => "fail",
        _ => "informational",
    };

    public static string Word(Severity severity) => severity == Severity.Soft ? "soft" : "hard";
}
