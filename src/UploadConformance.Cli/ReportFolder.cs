namespace UploadConformance.Cli;

/// <summary>Where a run writes its results and reports, checked before the run starts: a run that
/// cannot write its results would lose everything it measured. A folder this invocation made and
/// left empty (a run refused before it started) is removed at the end, so reports/ holds only runs.</summary>
public sealed class ReportFolder
{
    private readonly List<string> _created = [];

    /// <summary><c>--out</c> when given; else reports/&lt;timestamp&gt;-&lt;verb&gt; under
    /// $UPLOADCONFORMANCE_REPORTS (run.sh points it at the repository's reports/) or ./reports.</summary>
    public static string Resolve(string? outDir, string verb, DateTimeOffset started)
    {
        if (outDir is not null) return Path.GetFullPath(outDir);
        var root = Environment.GetEnvironmentVariable("UPLOADCONFORMANCE_REPORTS") is { Length: > 0 } r ? r : "reports";
        return Path.GetFullPath(Path.Combine(root, $"{started:yyyyMMdd-HHmmss}-{verb}"));
    }

    /// <summary>Resolves the folder, creates it and proves it takes a file.</summary>
    /// <exception cref="UsageException">The folder cannot be written; nothing has been sent yet.</exception>
    public string Prepare(string? outDir, string verb, DateTimeOffset started)
    {
        var folder = Resolve(outDir, verb, started);
        var what = outDir is null ? "the reports folder" : "--out";
        if (File.Exists(folder)) throw new UsageException($"{what} {folder}: is a file, not a folder");
        try
        {
            // Every folder this makes, deepest first, so an unused one goes with the parents made for it.
            var made = new List<string>();
            for (var f = folder; f is not null && !Directory.Exists(f); f = Path.GetDirectoryName(f)) made.Add(f);
            Directory.CreateDirectory(folder);
            lock (_created) _created.AddRange(made);
            var probe = Path.Combine(folder, $".uc-write-test-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException
            or ArgumentException)
        {
            throw new UsageException(
                $"{what} {folder}: cannot write there ({e.Message.ReplaceLineEndings(" ").Trim()})");
        }
        return folder;
    }

    /// <summary>Removes the folders <see cref="Prepare"/> made that nothing was written to.</summary>
    public void RemoveEmpty()
    {
        lock (_created)
        {
            foreach (var folder in _created)
            {
                try
                {
                    if (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any())
                        Directory.Delete(folder);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Left behind: an empty folder is untidy, not wrong.
                }
            }
            _created.Clear();
        }
    }
}
