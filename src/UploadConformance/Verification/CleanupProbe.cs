using System.Diagnostics;

namespace UploadConformance.Verification;

/// <summary>What the server left behind a case: from its <c>/stats</c> counters, whether it kept anything
/// of a refused or abandoned upload, and from its health URL, whether it is still alive.</summary>
public sealed class CleanupProbe(TargetProbe probe)
{
    /// <summary>How long a server may take to notice a vanished client and clean up.</summary>
    public static readonly TimeSpan CleanupBound = TimeSpan.FromSeconds(10);

    /// <summary>Null while the server answers its health URL; else how long it stayed down, waiting up to
    /// <paramref name="recovery"/> (a supervisor restarting it) for it to come back.</summary>
    public async Task<CrashRecord?> CrashAsync(TimeSpan recovery, CancellationToken cancellationToken)
    {
        if (await probe.IsHealthyAsync(cancellationToken).ConfigureAwait(false)) return null;
        var down = Stopwatch.StartNew();
        var recovered = recovery > TimeSpan.Zero
            && await probe.WaitHealthyAsync(recovery, cancellationToken).ConfigureAwait(false);
        return new CrashRecord(Math.Round(down.Elapsed.TotalMilliseconds), recovered);
    }

    /// <summary>From /stats, against the snapshot taken before the case: once the server has settled,
    /// no more uploads in flight, no new partial file on disk and nothing new stored; with
    /// <paramref name="requireDiscard"/>, it counted a discard.</summary>
    public async Task<IReadOnlyList<Check>> NothingKeptAsync(StatsSnapshot? before, bool requireDiscard,
        CancellationToken cancellationToken)
    {
        if (before is null) return [Check.Skipped("nothing kept", "the target publishes no /stats")];
        var deadline = Stopwatch.StartNew();
        var after = before;
        var grace = TimeSpan.Zero;
        while (deadline.Elapsed < CleanupBound)
        {
            after = await probe.StatsAsync(cancellationToken).ConfigureAwait(false) ?? before;
            // Settled is "done with the request", not "clean": a leaking server settles too, and is then judged.
            var settled = after.UploadsInFlight <= before.UploadsInFlight;
            if (settled && (!requireDiscard || after.PartialUploadsDiscarded > before.PartialUploadsDiscarded)) break;
            // A settled server that counted no discard may never have seen the upload (a buffering proxy in
            // front): give it a moment, not the whole bound.
            if (settled && (grace = grace == TimeSpan.Zero ? deadline.Elapsed : grace)
                + TimeSpan.FromSeconds(1) < deadline.Elapsed) break;
            // Polling a counter the server updates when it notices the disconnect; there is no event to wait on.
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
        var checks = new List<Check>();
        if (requireDiscard)
            checks.Add(after.PartialUploadsDiscarded > before.PartialUploadsDiscarded
                ? new Check("partial upload discarded", true,
                    $"partialUploadsDiscarded > {before.PartialUploadsDiscarded}",
                    after.PartialUploadsDiscarded.ToString())
                : Check.Skipped("partial upload discarded",
                    "the server counted no discard: the partial upload may never have reached it "
                    + "(a buffering proxy in front); the checks below still hold it to keeping nothing"));
        checks.Add(new Check("no upload left in flight", after.UploadsInFlight <= before.UploadsInFlight,
            $"≤ {before.UploadsInFlight}", after.UploadsInFlight.ToString()));
        checks.Add(new Check("no partial file left on disk", after.PartialFilesOnDisk <= before.PartialFilesOnDisk,
            $"≤ {before.PartialFilesOnDisk} (as before the case)", after.PartialFilesOnDisk.ToString()));
        checks.Add(
            new Check("nothing stored", after.FilesStored == before.FilesStored, before.FilesStored.ToString(),
            after.FilesStored.ToString()));
        return checks;
    }
}
