using System.CommandLine;
using UploadConformance.Reporting;
using UploadConformance.Results;

namespace UploadConformance.Cli.Commands;

/// <summary><c>merge</c>: the results.json files of a split run's generators (<c>load --segment i/n</c>,
/// or a cluster's workers) merged into one run, exactly, with every report: what the coordinator
/// does live, done offline, so nothing is lost if the coordinator is.</summary>
public static class MergeCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("merge",
            "merge a split run's generators (load --segment i/n, or a cluster's workers) into one exact result: "
            + "counts summed, histograms added, thresholds evaluated again");
        var folders = new Argument<string[]>("dir")
        {
            Description = "the generators' run folders, each holding results.json", Arity = ArgumentArity.OneOrMore,
        };
        var output = CliOptions.Out();
        command.Arguments.Add(folders);
        command.Options.Add(output);
        command.SetAction(parse => ExecuteAsync(context, parse.GetValue(folders)!, parse.GetValue(output)));
        return command;
    }

    private static async Task<int> ExecuteAsync(CliContext context, string[] folders, string? outDir)
    {
        var stdout = context.Out;
        var parts = folders.Select(f => (Folder: f, Document: ResultsFile.Read(f))).ToList();
        if (parts.FirstOrDefault(p => p.Document.Load?.Segment is null) is { Folder: { } whole })
            throw new UsageException($"{whole}: not a generator of a split run (its load section has no segment)");
        var shares = parts.Select(p => (p.Folder, p.Document,
            Segment: Load.ExecutionSegment.TryParse(p.Document.Load!.Segment!, out var s) ? s
                : throw new UsageException($"{p.Folder}: segment '{p.Document.Load.Segment}' is not i/n"))).ToList();
        var count = shares[0].Segment.Count;
        if (shares.FirstOrDefault(s => s.Segment.Count != count) is { Folder: { } other })
            throw new UsageException($"{other} is a share of another split (not of {count} generators)");
        if (shares.GroupBy(s => s.Segment.Index).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new UsageException($"{string.Join(" and ", twice.Select(s => s.Folder))} are the same share "
                + $"({twice.Key}/{count})");
        var scenario = shares[0].Document.Load!.Scenario;
        if (shares.FirstOrDefault(s => s.Document.Load!.Scenario != scenario) is { Folder: { } stranger })
            throw new UsageException($"{stranger} ran another scenario than '{scenario}'");

        var workers = shares.OrderBy(s => s.Segment.Index).Select(s =>
        {
            var load = s.Document.Load!;
            return new WorkerResults(s.Segment.Index, Path.GetFileName(Path.GetFullPath(s.Folder).TrimEnd('/')),
                load.Segment!, load.All.Requests, load.All.Ok, load.All.Failed, load.All.Dropped, load.All.BytesSent,
                load.Connections, load.DurationMs, Lost: s.Document.Run.Interrupted is { } why
                    ? $"interrupted: {why}" : null);
        }).ToList();
        var missing = Enumerable.Range(0, count).Except(shares.Select(s => s.Segment.Index)).ToList();
        var merged = LoadMerge.Merge(shares.OrderBy(s => s.Segment.Index).Select(s => s.Document.Load!).ToList(),
            workers: workers);
        var first = shares.MinBy(s => s.Document.Run.StartedAt).Document.Run;
        var finished = shares.Max(s => s.Document.Run.FinishedAt);
        var incomplete = missing.Count > 0
            ? $"incomplete: no results for generator{(missing.Count == 1 ? "" : "s")} "
              + string.Join(", ", missing.Select(i => $"{i}/{count}"))
            : workers.FirstOrDefault(w => w.Lost is not null) is { } lost ? $"generator {lost.Segment} {lost.Lost}"
            : null;
        var folder = context.Folders.Prepare(outDir, "merge", DateTimeOffset.Now);
        var document = ResultsDocument.For(first with
        {
            Id = Path.GetFileName(folder),
            Verb = "merge",
            FinishedAt = finished,
            DurationMs = Math.Round((finished - first.StartedAt).TotalMilliseconds, 1),
            Interrupted = incomplete,
        }, [], merged);
        foreach (var line in ConsoleSummary.Load(RunSummary.OfLoad(merged))) stdout.WriteLine(line);
        await RunOutput.WriteAsync(document, folder, stdout);
        if (incomplete is not null)
        {
            stdout.WriteLine($"merged {shares.Count} of {count} generators; {incomplete}");
            return ExitCodes.Incomplete;
        }
        return merged.Thresholds.All(t => t.Passed) ? ExitCodes.Ok : ExitCodes.Failures;
    }
}
