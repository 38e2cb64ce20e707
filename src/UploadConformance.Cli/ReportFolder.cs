namespace UploadConformance.Cli;

/// <summary>Where a run writes its results and reports, checked before the run starts: a run that
/// cannot write its results would lose everything it measured.</summary>
public static class ReportFolder
{
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
    public static string Prepare(string? outDir, string verb, DateTimeOffset started)
    {
        var folder = Resolve(outDir, verb, started);
        var what = outDir is null ? "the reports folder" : "--out";
        if (File.Exists(folder)) throw new UsageException($"{what} {folder}: is a file, not a folder");
        try
        {
            Directory.CreateDirectory(folder);
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
}
