using UploadConformance.Live;

namespace UploadConformance.Cli;

/// <summary>One open <c>--metrics</c> output, as k6's <c>output.Output</c>: opened before the run (a
/// port that is taken is a usage error then), handed the totals at every one-second tick, finished
/// when the run ends, disposed after. A new kind of output is a <see cref="MetricsSink"/> and a class
/// of this: nothing else changes.</summary>
public interface ILiveOutput : IDisposable
{
    void Publish(LiveTotals totals);

    /// <summary>After the final <see cref="Publish"/>: whatever the output owes its readers (a last
    /// scrape, a last export), bounded, saying on <paramref name="stdout"/> what did not arrive. Returns
    /// at once when <paramref name="cancellationToken"/> is cancelled.</summary>
    Task FinishAsync(TextWriter stdout, CancellationToken cancellationToken);
}
