using System.Text;
using UploadConformance.Load;
using UploadConformance.Results;

namespace UploadConformance.Reporting;

/// <summary>The charts of a load run that read a request name's histograms rather than its seconds: where the
/// time went, Gatling's response-time ranges, the response-time and upload-bandwidth distributions. Drawn from
/// results.json alone, so a rebuilt report and a merged split run draw the same.</summary>
public static class LoadCharts
{
    /// <summary>Gatling's default bounds: under 800 ms, up to 1,200 ms, and over.</summary>
    public const double LowerBoundMs = 800, UpperBoundMs = 1200;

    private static readonly (string Name, string Colour)[] PhaseSegments =
    [
        ("blocked", "#8c959f"), ("sending", "#0969da"), ("waiting", "#bf8700"), ("receiving", "#1a7f37"),
    ];

    /// <summary>A stacked bar per name at p50 and p99: each phase's percentile, side by side in one bar.
    /// Percentiles of phases do not add up to the request's; the bar shows which phase dominates.</summary>
    public static string WhereTheTimeWent(string title, IEnumerable<LoadNameResults> names)
    {
        var bars = new List<(string, IReadOnlyList<double>)>();
        foreach (var n in names)
        {
            if (n.Phases is not { } p) continue;
            bars.Add(($"{n.Name} p50", [p.Blocked.P50, p.Sending.P50, p.Waiting.P50, p.Receiving.P50]));
            bars.Add(($"{n.Name} p99", [p.Blocked.P99, p.Sending.P99, p.Waiting.P99, p.Receiving.P99]));
        }
        return SvgChart.StackedBars(title, "ms", PhaseSegments, bars);
    }

    /// <summary>Requests by latency range, as Gatling counts them, with the failed ones beside them (a failed
    /// request is in its range too: the ranges count every request's latency).</summary>
    public static string Ranges(LoadNameResults n)
    {
        var h = HistogramCodec.Decode(n.LatencyHistogram);
        long below = 0, between = 0, above = 0;
        foreach (var v in h.RecordedValues())
        {
            var ms = h.MedianEquivalentValue(v.ValueIteratedTo) / 1000.0;
            if (ms < LowerBoundMs) below += v.CountAtValueIteratedTo;
            else if (ms < UpperBoundMs) between += v.CountAtValueIteratedTo;
            else above += v.CountAtValueIteratedTo;
        }
        return SvgChart.Bars($"Response times by range: {n.Name}", "latency from the intended start", "requests",
        [
            ($"< {LowerBoundMs:0} ms", below, "#1a7f37"),
            ($"{LowerBoundMs:0}–{UpperBoundMs:0} ms", between, "#bf8700"),
            ($"≥ {UpperBoundMs:0} ms", above, "#cf222e"),
            ("failed", n.Failed, "#6e7781"),
        ]);
    }

    /// <summary>How many requests took how long: 20 equal bins up to the 99.9th percentile, the rest in the
    /// last.</summary>
    public static string LatencyDistribution(LoadNameResults n) => SvgChart.Bars(
        $"Response-time distribution: {n.Name}", "ms (from the intended start)", "requests",
        Bins(HistogramCodec.Decode(n.LatencyHistogram), 1000.0, "#0969da"));

    /// <summary>Upload bandwidth per answered upload, in MB/s: a slow-link scenario shows its cap here.</summary>
    public static string BandwidthDistribution(LoadNameResults n)
    {
        var encoded = n.PhaseHistogram(Phase.Bandwidth);
        return SvgChart.Bars($"Upload bandwidth: {n.Name}", "MB/s (body bytes over sending time)", "uploads",
            encoded is null ? [] : Bins(HistogramCodec.Decode(encoded), 1000.0, "#8250df"));
    }

    /// <summary>A name's own section: where its time went, its ranges, and its two distributions.</summary>
    public static void ForName(StringBuilder html, LoadNameResults n)
    {
        html.Append("<div class=\"charts\">");
        html.Append(WhereTheTimeWent($"Where the time went: {n.Name}", [n]));
        html.Append(Ranges(n));
        html.Append(LatencyDistribution(n));
        html.Append(BandwidthDistribution(n));
        html.Append("</div>");
    }

    private static IReadOnlyList<(string, double, string)> Bins(HdrHistogram.HistogramBase h, double scale,
        string colour)
    {
        if (h.TotalCount == 0) return [];
        const int count = 20;
        var low = h.GetValueAtPercentile(0) / scale;
        var high = Math.Max(h.GetValueAtPercentile(99.9) / scale, low * 1.01 + 1e-6);
        var width = (high - low) / count;
        var bins = new long[count];
        foreach (var v in h.RecordedValues())
        {
            var x = h.MedianEquivalentValue(v.ValueIteratedTo) / scale;
            bins[Math.Clamp((int)((x - low) / width), 0, count - 1)] += v.CountAtValueIteratedTo;
        }
        return bins.Select((c, i) => (SvgChart.Short(low + i * width), (double)c, colour)).ToList();
    }
}
