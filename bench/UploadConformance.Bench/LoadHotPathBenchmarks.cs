using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;
using UploadConformance.Load;
using UploadConformance.Payloads;
using UploadConformance.Scenarios;
using UploadConformance.Targets;
using UploadConformance.Wire;

namespace UploadConformance.Bench;

/// <summary>What the load engine does per request besides waiting for the network: pick the request
/// (the scheduler's per-iteration work), build its body plan (HttpClient's path; the lean client sends
/// bytes prepared once), parse the answer (the lean client's path), and record the finished sample.</summary>
[MemoryDiagnoser]
[Config(typeof(ShortConfig))]
public class LoadHotPathBenchmarks
{
    private RequestMix _mix = null!;
    private LoadStats _stats = null!;
    private long _iteration;
    private RequestSample _sample;
    private RequestSample _unanswered;
    private readonly AnswerParser _parser = new();
    private readonly AnswerCollector _answer = new();
    private static readonly byte[] ChunkedAnswer =
        [.. "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Tue, 24 Nov 2026 18:00:00 GMT\r\n"u8,
         .. "Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n"u8,
         .. "3\r\nok\n\r\n0\r\n\r\n"u8];

    [GlobalSetup]
    public void Setup()
    {
        var scenario = ScenarioLoader.Parse("""
            mix:
              - { name: small, bytes: 1500, weight: 3, formData: profile }
              - { name: big, bytes: 4MiB, weight: 1 }
            load:
              - inject: { rate: 1, interval: 1s, during: 1s }
            """, "bench.yaml");
        _mix = new RequestMix(scenario, TargetProfile.Reference(new Uri("http://127.0.0.1/image")),
            ImageFactory.Default());
        _stats = new LoadStats();
        _sample = new RequestSample("small", TimeSpan.FromMilliseconds(3.2), TimeSpan.FromMilliseconds(2.9), 200,
            FailureKind.None, true, false, null, 1700, 320, 1500)
        {
            Blocked = TimeSpan.FromMicroseconds(40),
            Phases = new UploadPhases(TimeSpan.FromMicroseconds(300), TimeSpan.FromMilliseconds(2.5),
                TimeSpan.FromMicroseconds(60)),
        };
        // The same request unanswered (a reset): everything recorded but the status and the phases.
        _unanswered = _sample with { Status = null, Failure = FailureKind.Reset, Ok = false };
    }

    [Benchmark]
    public RequestPlan SchedulerPick() => _mix.Pick(_iteration++).Burst[0];

    [Benchmark]
    public long RequestConstruction() => _mix.Pick(_iteration++).Burst[0].BuildBody().Length;

    [Benchmark]
    public int AnswerParsing()
    {
        _parser.Reset();
        _answer.Reset(keepBody: false);
        return _parser.Parse(ChunkedAnswer, _answer) + _parser.Status;
    }

    /// <summary>An answered upload: its latency, service time and, per name, in total and per second, its
    /// phases.</summary>
    [Benchmark]
    public void HistogramRecording() => _stats.Record(_sample, TimeSpan.FromSeconds(_iteration++ / 100_000), 8);

    /// <summary>Beside <see cref="HistogramRecording"/>: what the status count and the phases add to it.</summary>
    [Benchmark]
    public void HistogramRecordingUnanswered() =>
        _stats.Record(_unanswered, TimeSpan.FromSeconds(_iteration++ / 100_000), 8);

    /// <summary>The clients' stamps for the phases: three timestamps and the phases made of them.</summary>
    [Benchmark]
    public UploadPhases PhaseStamps()
    {
        var bodyStarted = System.Diagnostics.Stopwatch.GetTimestamp();
        var bodyEnded = System.Diagnostics.Stopwatch.GetTimestamp();
        var firstByte = System.Diagnostics.Stopwatch.GetTimestamp();
        return UploadPhases.From(bodyStarted, bodyEnded, firstByte, System.Diagnostics.Stopwatch.GetTimestamp());
    }
}

public sealed class ShortConfig : BenchmarkDotNet.Configs.ManualConfig
{
    public ShortConfig() => AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(10));
}
