namespace UploadConformance.Load;

/// <summary>The one-second heartbeat of a run. A machine's progress line, its live outputs and its threshold
/// checks, a worker's report to its coordinator and the coordinator's merge all beat on it, so a second means
/// the same thing on one machine and across a cluster. A beat is not a clock: each one reads the run's own
/// stopwatch.</summary>
public static class Ticker
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    /// <summary>Calls <paramref name="beat"/> once a <see cref="Period"/> until it returns false or
    /// <paramref name="stop"/> is cancelled; a stop ends the loop quietly, between beats, never inside one.</summary>
    public static async Task EverySecondAsync(Func<ValueTask<bool>> beat, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(Period);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
                if (!await beat().ConfigureAwait(false)) return;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }
}
