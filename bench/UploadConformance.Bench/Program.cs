using System.Diagnostics;
using BenchmarkDotNet.Running;
using UploadConformance.Bench;

// `-- merge-memory [workers] [seconds]`: the peak memory of one exact merge, beside its input, which
// BenchmarkDotNet's allocation count does not show.
if (args is ["merge-memory", ..])
{
    var workers = args.Length > 1 ? int.Parse(args[1]) : 64;
    var seconds = args.Length > 2 ? int.Parse(args[2]) : 3600;
    var parts = MergeInput.Build(workers, seconds);
    GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    using var self = Process.GetCurrentProcess();
    self.Refresh();
    var (input, before) = (self.WorkingSet64, self.PeakWorkingSet64);
    var clock = Stopwatch.StartNew();
    var merged = UploadConformance.Results.LoadMerge.Merge(parts);
    clock.Stop();
    self.Refresh();
    Console.WriteLine($"{workers} workers × {seconds} s: {merged.All.Requests:N0} requests, {merged.Series.Count} "
        + $"seconds merged in {clock.Elapsed.TotalSeconds:0.00} s; working set {input / 1048576.0:0} MiB with the "
        + $"input loaded, peak {Math.Max(before, self.PeakWorkingSet64) / 1048576.0:0} MiB during the merge");
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
