using System.CommandLine;
using UploadConformance.Live;

namespace UploadConformance.Cli;

/// <summary>A run's live metrics: one <see cref="ILiveOutput"/> per <c>--metrics</c> sink, fed from the
/// engine's (or coordinator's) one-second tick. results.json stays the exact record; what goes out here
/// is bucketed for dashboards.</summary>
public sealed class LiveMetrics : IDisposable
{
    private readonly List<ILiveOutput> _outputs = [];

    private LiveMetrics()
    {
    }

    public static Option<string[]> Option() => new("--metrics")
    {
        HelpName = "sink",
        Description = $"live metrics while the run runs: {MetricsSink.Grammar} (several allowed, or a comma "
            + "between them)",
        AllowMultipleArgumentsPerToken = false,
    };

    public static IReadOnlyList<MetricsSink> Sinks(string[]? given) => (given ?? [])
        .SelectMany(g => g.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        .Select(MetricsSink.Parse).ToList();

    /// <summary><c>--dashboard [host:port]</c>: the live web page, as <c>--metrics dashboard</c> says it.</summary>
    public static Option<string?> DashboardOption() => new("--dashboard")
    {
        HelpName = "host:port",
        Description = "a live web page of the run, served by the tool: the report's charts every second, the final "
            + $"report at the end (127.0.0.1:{MetricsSink.Dashboard.DefaultPort})",
        Arity = ArgumentArity.ZeroOrOne,
    };

    /// <summary>The <c>--metrics</c> sinks, and the dashboard when <paramref name="dashboard"/> was given.</summary>
    public static IReadOnlyList<MetricsSink> Sinks(ParseResult parse, Option<string[]> metrics,
        Option<string?> dashboard)
    {
        var sinks = Sinks(parse.GetValue(metrics)).ToList();
        if (parse.GetResult(dashboard) is not null)
            sinks.Add(MetricsSink.Parse(
                parse.GetValue(dashboard) is { Length: > 0 } at ? $"dashboard:{at}" : "dashboard"));
        return sinks;
    }

    /// <summary>Opens every sink (a Prometheus port that is taken is a usage error), or none.</summary>
    public static LiveMetrics? Start(IReadOnlyList<MetricsSink> sinks, string scenario, string runId,
        TextWriter stdout)
    {
        if (sinks.Count == 0) return null;
        var live = new LiveMetrics();
        try
        {
            foreach (var sink in sinks) live._outputs.Add(sink.Open(scenario, runId, stdout));
            return live;
        }
        catch
        {
            live.Dispose();
            throw;
        }
    }

    public void Publish(LiveTotals totals)
    {
        foreach (var output in _outputs) output.Publish(totals);
    }

    /// <summary>Publishes the run's final figures, then lets each output finish (a last scrape, a last
    /// export), each bounded. Returns at once when <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task FinishAsync(LiveTotals final, TextWriter stdout, CancellationToken cancellationToken)
    {
        Publish(final);
        foreach (var output in _outputs) await output.FinishAsync(stdout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the endpoints; OTLP sends its last export first, within a bound.</summary>
    public void Dispose()
    {
        foreach (var output in _outputs) output.Dispose();
        _outputs.Clear();
    }
}
