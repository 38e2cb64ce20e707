using HdrHistogram;
using UploadConformance.Load;
using UploadConformance.Scenarios;

namespace UploadConformance.Results;

/// <summary>The load sections of a split run's generators as one, exactly: counts add up, histograms
/// add (so a merged p99 is the p99 of every sample, never an average of percentiles), seconds merge by
/// their number from the common start, and thresholds are evaluated again on the merged figures. The
/// coordinator merges its workers' reports with it every second and at the end; <c>merge</c> merges
/// their results.json files with it offline.</summary>
public static class LoadMerge
{
    /// <param name="durationMs">The whole run's length; the longest part's when not given (the parts
    /// started together).</param>
    public static LoadResults Merge(IReadOnlyList<LoadResults> parts, double? durationMs = null,
        IReadOnlyList<WorkerResults>? workers = null)
    {
        if (parts.Count == 0) throw new ArgumentException("nothing to merge", nameof(parts));
        var first = parts[0];
        var all = Sum(parts.Select(p => p.All));
        var byName = parts.SelectMany(p => p.Names).GroupBy(n => n.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => Sum(g), StringComparer.Ordinal);
        var duration = TimeSpan.FromMilliseconds(durationMs ?? parts.Max(p => p.DurationMs));
        var thresholds = first.Thresholds.Select(t => Threshold.Parse(t.Text)).ToList();
        var connect = Add(parts.Select(p => p.ConnectHistogram));
        var handshake = Add(parts.Select(p => p.TlsHandshakeHistogram));
        return first with
        {
            DurationMs = Math.Round(duration.TotalMilliseconds, 1),
            Connections = parts.Sum(p => p.Connections),
            TlsHandshakes = parts.Sum(p => p.TlsHandshakes),
            ConnectMs = connect is null ? null : LatencySummary.Of(connect),
            TlsHandshakeMs = handshake is null ? null : LatencySummary.Of(handshake),
            ConnectHistogram = connect is null ? null : HistogramCodec.Encode(connect),
            TlsHandshakeHistogram = handshake is null ? null : HistogramCodec.Encode(handshake),
            Clients = new ClientShare(parts.Sum(p => p.Clients?.Lean ?? 0), parts.Sum(p => p.Clients?.HttpClient ?? 0)),
            All = LoadNameResults.Of("all", all, duration),
            Names = byName.OrderBy(kv => kv.Key, StringComparer.Ordinal)
                .Select(kv => LoadNameResults.Of(kv.Key, kv.Value, duration)).ToList(),
            Series = MergeSeries(parts.SelectMany(p => p.Series)),
            Thresholds = LoadEngine.Evaluate(thresholds, all, byName, duration),
            Segment = null,
            Workers = workers,
        };
    }

    /// <summary>One second per second number: counts summed, histograms added, percentiles read from
    /// them. A second written without its service-time histogram (an older file) keeps the largest of
    /// the parts' service percentiles, an upper bound.</summary>
    public static IReadOnlyList<SecondStats> MergeSeries(IEnumerable<SecondStats> seconds)
    {
        // Two histograms for the whole series, emptied for each second: an hour of seconds would
        // otherwise build 7,200 of them.
        var latency = NameStats.NewHistogram();
        var service = NameStats.NewHistogram();
        var phases = PhaseHistograms.New();
        var merged = new List<SecondStats>();
        foreach (var group in seconds.GroupBy(s => s.Second).OrderBy(g => g.Key))
        {
            var parts = group.ToList();
            if (parts.Count == 1)
            {
                merged.Add(parts[0]);
                continue;
            }
            latency.Reset();
            service.Reset();
            phases.Reset();
            foreach (var part in parts) HistogramCodec.AddTo(latency, part.Histogram);
            // Phases merge exactly when every part has them; an older file's second leaves them out.
            var phased = parts.All(p => p.HasPhases);
            if (phased)
                foreach (var part in parts) phases.Add(part);
            var exact = parts.All(p => p.ServiceHistogram is not null);
            if (exact) foreach (var part in parts) HistogramCodec.AddTo(service, part.ServiceHistogram!);
            var second = SecondStats.Of(group.Key, parts.Sum(p => p.Requests), parts.Sum(p => p.Ok),
                parts.Sum(p => p.Failed), parts.Sum(p => p.Dropped), parts.Sum(p => p.BytesSent),
                parts.Sum(p => p.BytesReceived), latency, service, phases, parts.Sum(p => p.InFlight));
            if (!phased) second = second with
            {
                SendingHistogram = null, WaitingHistogram = null, BlockedHistogram = null, ReceivingHistogram = null,
            };
            merged.Add(exact ? second : second with
            {
                ServiceP50Ms = parts.Max(p => p.ServiceP50Ms), ServiceP95Ms = parts.Max(p => p.ServiceP95Ms),
                ServiceP99Ms = parts.Max(p => p.ServiceP99Ms), ServiceMaxMs = parts.Max(p => p.ServiceMaxMs),
                ServiceHistogram = null,
            });
        }
        return merged;
    }

    private static NameStats Sum(IEnumerable<LoadNameResults> parts)
    {
        var sum = new NameStats();
        foreach (var part in parts) sum.Add(part);
        return sum;
    }

    /// <summary>The encoded histograms added into one; null when none is there.</summary>
    private static HistogramBase? Add(IEnumerable<string?> encoded)
    {
        LongHistogram? sum = null;
        foreach (var e in encoded)
        {
            if (e is null) continue;
            sum ??= NameStats.NewHistogram();
            HistogramCodec.AddTo(sum, e);
        }
        return sum;
    }
}
