using BenchmarkDotNet.Attributes;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using UploadConformance.Live;
using UploadConformance.Load;
using UploadConformance.Wire;

namespace UploadConformance.Bench;

/// <summary>What live metrics cost at the engine's tick: one second of 50,000 finished uploads handed to
/// the instruments (the histograms record what was gained), with OpenTelemetry's SDK listening as it
/// does under --metrics, and the collection a scrape makes.</summary>
[MemoryDiagnoser]
public class LiveMetricsBenchmarks
{
    private const int PerSecond = 50_000;
    private readonly NameStats _second = new();
    private readonly NameStats _soFar = new();
    private LoadMeter _meter = null!;
    private MeterProvider _provider = null!;
    private BaseExportingMetricReader _reader = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        for (var i = 0; i < PerSecond; i++)
        {
            var ms = 0.3 + random.NextDouble() * random.NextDouble() * 40;
            _second.Record(new RequestSample("small", TimeSpan.FromMilliseconds(ms),
                TimeSpan.FromMilliseconds(ms * 0.8), 200, FailureKind.None, true, false, null, 2300, 180, 2048));
        }
        _meter = new LoadMeter();
        _reader = new BaseExportingMetricReader(new Discard());
        _provider = Sdk.CreateMeterProviderBuilder().AddMeter(LoadMeter.MeterName).AddReader(_reader).Build();
    }

    [GlobalCleanup]
    public void Stop()
    {
        _provider.Dispose();
        _meter.Dispose();
    }

    /// <summary>The run so far grows by one more second of the same uploads.</summary>
    private LiveTotals NextSecond()
    {
        _soFar.Corrected.Add(_second.Corrected);
        _soFar.ServiceTime.Add(_second.ServiceTime);
        return new LiveTotals(_soFar, new Dictionary<string, NameStats> { ["small"] = _soFar }, 32, []);
    }

    [Benchmark(Description = "Publish: a second of 50,000 uploads into the histograms")]
    public void Publish() => _meter.Publish(NextSecond());

    [Benchmark(Description = "Publish, then one collection (a scrape)")]
    public bool PublishAndCollect()
    {
        _meter.Publish(NextSecond());
        return _reader.Collect();
    }

    private sealed class Discard : BaseExporter<Metric>
    {
        public override ExportResult Export(in Batch<Metric> batch) => ExportResult.Success;
    }
}
