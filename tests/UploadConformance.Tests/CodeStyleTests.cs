namespace UploadConformance.Tests;

/// <summary>What .editorconfig asks of the code that a build does not check.</summary>
public class CodeStyleTests
{
    private const int MaxLineLength = 120;

    [Fact]
    public void Every_line_of_CSharp_stays_within_120_columns()
    {
        static bool Built(string path) => path.Split(Path.DirectorySeparatorChar).Any(p => p is "bin" or "obj");
        var files = new[] { "src", "suites", "tests", "bench" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(Repo.Root, d), "*.cs", SearchOption.AllDirectories))
            .Where(f => !Built(Path.GetRelativePath(Repo.Root, f)))
            .ToList();
        Assert.True(files.Count > 50, $"{files.Count} files");
        var over = files.SelectMany(f => File.ReadLines(f).Select((line, i) => (f, i + 1, line.Length)))
            .Where(l => l.Length > MaxLineLength)
            .Select(l => $"{Path.GetRelativePath(Repo.Root, l.f)}:{l.Item2}: {l.Length} columns")
            .ToList();
        Assert.True(over.Count == 0, string.Join("\n", over.Take(20)));
    }
}
