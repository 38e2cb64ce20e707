using UploadConformance.Load;
using UploadConformance.Results;

namespace UploadConformance.Live;

/// <summary>What a live output is shown once a second: the run's figures so far, cumulative, as the
/// engine (or a coordinator, merging its workers) already keeps them. Outputs read it and never
/// touch the per-request path.</summary>
/// <param name="ByName">Per request name; the names come from the scenario, so they are few.</param>
/// <param name="InFlight">Requests under way now (a coordinator's: every worker's).</param>
public sealed record LiveTotals(
    NameStats All,
    IReadOnlyDictionary<string, NameStats> ByName,
    long InFlight,
    IReadOnlyList<ThresholdResult> Thresholds)
{
    /// <summary>The run so far as a results document, built only when an output asks (the dashboard draws the
    /// report from it); null where nobody can build one.</summary>
    public Func<ResultsDocument>? Report { get; init; }

    /// <summary>A progress tick of one machine's engine; null before it has totals.</summary>
    public static LiveTotals? Of(LoadProgress progress) => progress is { All: { } all, ByName: { } byName }
        ? new LiveTotals(all, byName, progress.InFlight, progress.Thresholds)
        : null;

    /// <summary>A merged results section (a coordinator's tick) as totals, histograms included.</summary>
    public static LiveTotals Of(LoadResults merged, long inFlight)
    {
        var all = new NameStats();
        all.Add(merged.All);
        var byName = new Dictionary<string, NameStats>(StringComparer.Ordinal);
        foreach (var name in merged.Names)
        {
            var stats = new NameStats();
            stats.Add(name);
            byName[name.Name] = stats;
        }
        return new LiveTotals(all, byName, inFlight, merged.Thresholds);
    }
}
