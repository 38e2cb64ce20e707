using System.Globalization;
using UploadConformance.Targets;

namespace UploadConformance.Scenarios;

/// <summary>A pass/fail rule on the run's statistics: <c>p99 &lt; 800ms</c>, <c>error_rate &lt; 1%</c>,
/// <c>rps &gt; 100</c>, <c>dropped == 0</c>, optionally scoped to one request name:
/// <c>compressed: p95 &lt; 500ms</c>. An unknown metric is an error, never a rule that silently passes.</summary>
public sealed record Threshold(string Text, string? Scope, string Metric, string Op, double Value)
{
    /// <summary>Every metric a threshold may name, with what it measures. Latencies are milliseconds
    /// from the intended start (coordinated-omission corrected); <c>raw_</c> ones are service time.</summary>
    public static readonly IReadOnlyDictionary<string, string> Metrics = new Dictionary<string, string>
    {
        ["p50"] = "latency", ["p75"] = "latency", ["p90"] = "latency", ["p95"] = "latency", ["p99"] = "latency", ["p99.9"] = "latency",
        ["max"] = "latency", ["mean"] = "latency",
        ["raw_p50"] = "latency", ["raw_p95"] = "latency", ["raw_p99"] = "latency", ["raw_max"] = "latency",
        ["error_rate"] = "percent", ["rps"] = "count", ["requests"] = "count", ["failed"] = "count",
        ["dropped"] = "count", ["failed_checks"] = "count",
    };

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
            ?? throw new FormatException($"threshold '{text}' needs a comparison (<, <=, >, >=, ==, !=), e.g. \"p99 < 800ms\"");
        var at = body.IndexOf(op, StringComparison.Ordinal);
        var metric = body[..at].Trim();
        var valueText = body[(at + op.Length)..].Trim();
        if (!Metrics.TryGetValue(metric, out var kind))
            throw new FormatException($"threshold '{text}': unknown metric '{metric}' (metrics: {string.Join(", ", Metrics.Keys)})");
        return new Threshold(text.Trim(), scope, metric, op, ParseValue(text, kind, valueText));
    }

    private static double ParseValue(string text, string kind, string value)
    {
        switch (kind)
        {
            case "latency":
                if (StrictYaml.TryDuration(value, out var d)) return d.TotalMilliseconds;
                throw new FormatException($"threshold '{text}': '{value}' is not a duration such as 800ms or 2s");
            case "percent":
                if (value.EndsWith('%') && double.TryParse(value[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var p)) return p;
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
