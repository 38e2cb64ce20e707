using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace UploadConformance.Bench;

/// <summary>A short job (these machines are shared and CI time is bounded) plus an MB/s column.</summary>
public sealed class ThroughputConfig : ManualConfig
{
    public ThroughputConfig()
    {
        AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(10));
        AddColumn(new MegabytesPerSecondColumn());
    }
}

/// <summary>File bytes over mean time; the benchmark must have a FileBytes parameter.</summary>
public sealed class MegabytesPerSecondColumn : IColumn
{
    public string Id => nameof(MegabytesPerSecondColumn);
    public string ColumnName => "MB/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "file bytes per second of mean time (MiB/s)";
    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
        GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var report = summary[benchmarkCase];
        var bytes = benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "FileBytes")?.Value;
        if (report?.ResultStatistics is not { } stats || bytes is not int n) return "-";
        return (n / (stats.Mean / 1e9) / (1 << 20)).ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
    }
}
