using UploadConformance.Results;

namespace UploadConformance.Cluster;

// The coordinator's HTTP API (JSON, results.json's conventions), in the order a worker uses it:
//   GET  /v1/clock     → ClockReading            several times, to measure the clock offset
//   POST /v1/register  Registration → Assignment  a share of the run, and what to run
//   POST /v1/ready     Ready → StartSignal         long-polled until every worker is ready
//   POST /v1/report    WorkerReport → ReportAnswer every second, and once more at the end
// Reports carry totals so far (counts and histograms, never per-request data) and the seconds closed
// since the last report the coordinator accepted: a lost report costs nothing.

/// <summary>The coordinator's clock, in Unix milliseconds.</summary>
public sealed record ClockReading(long UnixMs);

/// <summary>A worker asking for its share; <paramref name="Index"/> when it has one already (a
/// Kubernetes Indexed Job's <c>JOB_COMPLETION_INDEX</c>). <paramref name="Instance"/> tells one worker
/// process from another (a retried registration is the same worker; two on one host are two);
/// <paramref name="Name"/> is how reports name it (a host name is made unique with the share's index).</summary>
public sealed record Registration(string Name, string Version, int? Index = null, string? Instance = null,
    bool NameGiven = true)
{
    /// <summary>The name reports give the worker holding share <paramref name="index"/>: two workers on
    /// one host would both be the host, so a name not chosen carries the share's index.</summary>
    public string NameFor(int index) => NameGiven ? Name : $"{Name}-{index}";
}

/// <summary>What every worker runs, the same for all but <paramref name="Index"/>: the scenario's YAML
/// and the command line's overrides, the profile's YAML (header values stay <c>${ENV}</c> references,
/// resolved by each worker from its own environment) and the target.</summary>
public sealed record Assignment(int Index, int Count, SplitRun Run);

/// <summary>A worker whose payloads are built and whose engine waits for the start.</summary>
public sealed record Ready(int Index, double ClockOffsetMs);

/// <summary>The common start on the coordinator's clock; null: not every worker is ready yet, ask again.</summary>
public sealed record StartSignal(long? StartUnixMs);

/// <summary>A worker's run so far: totals with histograms, and only the seconds not accepted before.
/// <paramref name="Final"/>: the run ended (<paramref name="Interrupted"/> says why, if early).
/// <paramref name="InFlight"/>: its uploads under way, for the cluster's live metrics.</summary>
public sealed record WorkerReport(int Index, bool Final, LoadResults Load, string? Interrupted = null,
    long InFlight = 0);

/// <summary>Stop: why the whole run stops now (a threshold breached with abortOnFail, the coordinator
/// interrupted); null to go on.</summary>
public sealed record ReportAnswer(string? Stop);
