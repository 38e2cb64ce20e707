using System.Globalization;
using UploadConformance.Targets;
using UploadConformance.Text;

namespace UploadConformance.Scenarios;

/// <summary>A pass/fail rule on the run's statistics: <c>p99 &lt; 800ms</c>, <c>error_rate &lt; 1%</c>,
/// <c>rps &gt; 100</c>, <c>dropped == 0</c>, optionally scoped to one request name:
/// <c>compressed: p95 &lt; 500ms</c>. An unknown metric is an error, never a rule that silently passes.</summary>
public sealed record Threshold(string Text, string? Scope, string Metric, string Op, double Value)
{
    private static readonly string[] Ops = ["<=", ">=", "==", "!=", "<", ">"];

    public static Threshold Parse(string text)
    {
        var body = text.Trim();
        string? scope = null;
        var colon = body.IndexOf(':');
        if (colon > 0)
        {
            scope = body[..colon].Trim();
            body = body[(colon + 1)..].Trim();
        }
        var op = Ops.FirstOrDefault(o => body.Contains(o, StringComparison.Ordinal))
            ?? throw new FormatException(
                $"threshold '{text}' needs a comparison (<, <=, >, >=, ==, !=), e.g. \"p99 < 800ms\"");
        var at = body.IndexOf(op, StringComparison.Ordinal);
        var name = body[..at].Trim();
        var valueText = body[(at + op.Length)..].Trim();
        var metric = ThresholdMetric.Find(name)
            ?? throw new FormatException($"threshold '{text}': unknown metric '{name}'"
                + (Spelling.Closest(name, ThresholdMetric.All.Select(m => m.Name)) is { } close
                    ? $" (did you mean '{close}'?)" : "")
                + $" (metrics: {string.Join(", ", ThresholdMetric.All.Select(m => m.Name))})");
        return new Threshold(text.Trim(), scope, metric.Name, op, ParseValue(text, metric.Unit, valueText));
    }

    private static double ParseValue(string text, MetricUnit unit, string value)
    {
        switch (unit)
        {
            case MetricUnit.Milliseconds:
                if (StrictYaml.TryDuration(value, out var d)) return d.TotalMilliseconds;
                throw new FormatException($"threshold '{text}': '{value}' is not a duration such as 800ms or 2s");
            case MetricUnit.Percent:
                if (value.EndsWith('%')
                && double.TryParse(value[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var p)) return p;
                throw new FormatException($"threshold '{text}': '{value}' is not a percentage such as 1%");
            default:
                if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n)) return n;
                throw new FormatException($"threshold '{text}': '{value}' is not a number");
        }
    }

    public bool Holds(double actual) => Op switch
    {
        "<" => actual < Value,
        "<=" => actual <= Value,
        ">" => actual > Value,
        ">=" => actual >= Value,
        "==" => actual == Value,
        _ => actual != Value,
    };
}

public enum MetricUnit { Milliseconds, Percent, Count, PerSecond }

/// <summary>What a threshold is measured on: one request name's statistics (or every name's), however they
/// were gathered. The load engine's statistics implement it, so a scenario never depends on the engine.</summary>
public interface IMeasured
{
    /// <summary>Latencies from the intended start, in microseconds.</summary>
    HdrHistogram.HistogramBase Corrected { get; }
    /// <summary>Service times from the first body byte, in microseconds.</summary>
    HdrHistogram.HistogramBase ServiceTime { get; }
    /// <summary>Failed over all but the requests the scenario aborted, in percent.</summary>
    double ErrorRate { get; }
    long Requests { get; }
    long Failed { get; }
    long Dropped { get; }
    /// <summary>Answers whose echoed size or sha256 differed.</summary>
    long ChecksFailed { get; }
    /// <summary>An answered upload's phases, in microseconds: until its first body byte, sending it, waiting
    /// after its last byte, receiving the answer.</summary>
    HdrHistogram.HistogramBase Blocked { get; }
    HdrHistogram.HistogramBase Sending { get; }
    HdrHistogram.HistogramBase Waiting { get; }
    HdrHistogram.HistogramBase Receiving { get; }
}

/// <summary>Every metric a threshold may name, in one table: its name, unit, meaning and how it is
/// read from a request name's statistics. Latencies are milliseconds from the intended start
/// (coordinated omission corrected); <c>service_</c> ones from the first body byte (written
/// <c>raw_</c> before, which scenarios may still say).</summary>
public sealed record ThresholdMetric(string Name, MetricUnit Unit, string Meaning,
    Func<IMeasured, TimeSpan, double> Read)
{
    private const string LegacyServicePrefix = "raw_";

    public static IReadOnlyList<ThresholdMetric> All { get; } =
    [
        Latency("p50", 50), Latency("p75", 75), Latency("p90", 90), Latency("p95", 95), Latency("p99", 99),
        Latency("p99.9", 99.9),
        new("max", MetricUnit.Milliseconds, "the slowest request, from its intended start", (s, _) =>
        MaxMs(s.Corrected)),
        new("mean", MetricUnit.Milliseconds, "the mean latency from the intended start", (s, _) => MeanMs(s.Corrected)),
        Service("service_p50", 50), Service("service_p95", 95), Service("service_p99", 99),
        new("service_max", MetricUnit.Milliseconds, "the slowest service time", (s, _) => MaxMs(s.ServiceTime)),
        new("error_rate", MetricUnit.Percent, "failed requests over all but those the scenario aborted", (s, _) =>
        s.ErrorRate),
        new("rps", MetricUnit.PerSecond, "requests finished per second of the run", (s, d) => d.TotalSeconds <= 0
        ? 0 : s.Requests / d.TotalSeconds),
        new("requests", MetricUnit.Count, "requests finished", (s, _) => s.Requests),
        new("failed", MetricUnit.Count, "requests failed", (s, _) => s.Failed),
        new("dropped", MetricUnit.Count, "iterations not started because every in-flight slot was busy", (s, _) =>
        s.Dropped),
        new("failed_checks", MetricUnit.Count, "answers whose echoed size or sha256 differed", (s, _) =>
        s.ChecksFailed),
        .. Phase("sending", "sending the request, first to last byte", s => s.Sending, 50, 95, 99),
        .. Phase("waiting", "waiting after the last byte for the answer: the server's processing", s => s.Waiting,
            50, 95, 99),
        .. Phase("receiving", "receiving the answer", s => s.Receiving, 95, 99),
        .. Phase("blocked", "until the first body byte: a free slot, a connection, connect and TLS", s => s.Blocked,
            95, 99),
    ];

    /// <summary>A value of this metric in its unit, as a threshold's actual is shown: "20.655 ms", "0.3%",
    /// "41.2/s", "12".</summary>
    public string Format(double value)
    {
        var number = value.ToString("0.###", CultureInfo.InvariantCulture);
        return Unit switch
        {
            MetricUnit.Milliseconds => $"{number} ms",
            MetricUnit.Percent => $"{number}%",
            MetricUnit.PerSecond => $"{number}/s",
            _ => number,
        };
    }

    /// <summary><see cref="Format"/> for a metric named in results (a name no longer known: the bare number).</summary>
    public static string Format(string metric, double value) =>
        Find(metric)?.Format(value) ?? value.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>The metric of that name; <c>raw_p99</c> finds <c>service_p99</c>.</summary>
    public static ThresholdMetric? Find(string name)
    {
        if (name.StartsWith(LegacyServicePrefix, StringComparison.Ordinal)) name = "service_"
            + name[LegacyServicePrefix.Length..];
        return All.FirstOrDefault(m => m.Name == name);
    }

    /// <summary>The metrics of one phase of answered uploads, a percentile each and its max.</summary>
    private static IEnumerable<ThresholdMetric> Phase(string phase, string meaning,
        Func<IMeasured, HdrHistogram.HistogramBase> histogram, params double[] percentiles) =>
        percentiles.Select(p => new ThresholdMetric($"{phase}_p{p}", MetricUnit.Milliseconds,
            $"the {p}th percentile of {meaning}", (s, _) => Ms(histogram(s), p)))
        .Append(new ThresholdMetric($"{phase}_max", MetricUnit.Milliseconds, $"the longest {meaning}", (s, _) =>
            MaxMs(histogram(s))));

    private static ThresholdMetric Latency(string name, double percentile) =>
        new(name, MetricUnit.Milliseconds, $"the {percentile}th percentile latency from the intended start", (s, _) =>
        Ms(s.Corrected, percentile));

    private static ThresholdMetric Service(string name, double percentile) =>
        new(name, MetricUnit.Milliseconds, $"the {percentile}th percentile service time", (s, _) =>
        Ms(s.ServiceTime, percentile));

    private static double Ms(HdrHistogram.HistogramBase h, double percentile) => h.TotalCount == 0
        ? 0 : h.GetValueAtPercentile(percentile) / 1000.0;

    private static double MaxMs(HdrHistogram.HistogramBase h) => h.TotalCount == 0
        ? 0 : HdrHistogram.HistogramExtensions.GetMaxValue(h) / 1000.0;

    private static double MeanMs(HdrHistogram.HistogramBase h) => h.TotalCount == 0
        ? 0 : HdrHistogram.HistogramExtensions.GetMean(h) / 1000.0;
}
