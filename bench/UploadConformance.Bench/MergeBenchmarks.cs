using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;
using UploadConformance.Load;
using UploadConformance.Results;

namespace UploadConformance.Bench;

/// <summary>The exact merge of a large split run: 64 workers × an hour (3,600 per-second histograms
/// each, two histograms a second), what <c>merge</c> and the coordinator's final merge do. Each second
/// of each worker holds 50 latencies spread over three decades, as a loaded upload endpoint gives.</summary>
[MemoryDiagnoser]
[Config(typeof(MergeConfig))]
public class MergeBenchmarks
{
    [Params(64)]
    public int Workers { get; set; }

    [Params(3600)]
    public int Seconds { get; set; }

    private List<LoadResults> _parts = null!;

    [GlobalSetup]
    public void Setup() => _parts = MergeInput.Build(Workers, Seconds);

    [Benchmark]
    public LoadResults Merge() => LoadMerge.Merge(_parts);
}

public sealed class MergeConfig : BenchmarkDotNet.Configs.ManualConfig
{
    // Each merge takes seconds: one launch, a warm-up and a few measured ones.
    public MergeConfig() => AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(5)
        .WithInvocationCount(1).WithUnrollFactor(1));
}

/// <summary>Workers' load sections as their results.json files hold them.</summary>
public static class MergeInput
{
    public static List<LoadResults> Build(int workers, int seconds)
    {
        var random = new Random(7);
        var parts = new List<LoadResults>();
        for (var w = 0; w < workers; w++)
        {
            var all = new NameStats();
            var series = new List<SecondStats>(seconds);
            for (var s = 0; s < seconds; s++)
            {
                var latency = NameStats.NewHistogram();
                var service = NameStats.NewHistogram();
                for (var i = 0; i < 50; i++)
                {
                    var micros = (long)Math.Exp(random.NextDouble() * Math.Log(1_000_000 / 1_000.0)) * 1_000;
                    latency.RecordValue(micros);
                    service.RecordValue(micros / 2);
                    all.Record(new RequestSample("upload", TimeSpan.FromMicroseconds(micros),
                        TimeSpan.FromMicroseconds(micros / 2), 200, Wire.FailureKind.None, true, false, null, 300_000,
                        100, 299_000));
                }
                series.Add(SecondStats.Of(s, 50, 50, 0, 0, 50 * 300_000L, 5_000, latency, service,
                    new PhaseHistograms(service, service, service, service), 8));
            }
            var duration = TimeSpan.FromSeconds(seconds);
            parts.Add(new LoadResults
            {
                Scenario = "bench",
                Model = "open",
                Simulations = [],
                DurationMs = duration.TotalMilliseconds,
                All = LoadNameResults.Of("all", all, duration),
                Names = [LoadNameResults.Of("upload", all, duration)],
                Series = series,
                Thresholds = [new ThresholdResult("p99 < 2s", null, "p99", 0, true)],
                Segment = $"{w}/{workers}",
            });
        }
        return parts;
    }
}
