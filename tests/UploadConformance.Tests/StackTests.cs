using System.Text.RegularExpressions;
using UploadConformance.Cli;
using UploadConformance.Reporting;
using UploadConformance.Results;
using UploadConformance.Verification;
using Xunit.Abstractions;

namespace UploadConformance.Tests;

/// <summary>A server the stack matrix runs the catalog against.</summary>
public interface IStackServer
{
    Uri Url { get; }
}

/// <summary>The verdicts docs/stacks.md documents, read from its generated case × stack matrix.</summary>
public static partial class StacksDocument
{
    public static string Path => System.IO.Path.Combine(Repo.Root, "docs", "stacks.md");

    /// <summary>Case id → verdict in the column of <paramref name="stack"/>.</summary>
    public static IReadOnlyDictionary<string, Verdict> Matrix(string stack)
    {
        var text = File.ReadAllText(Path);
        var generated = text[text.IndexOf("<!-- generated: begin", StringComparison.Ordinal)..
            text.IndexOf("<!-- generated: end", StringComparison.Ordinal)];
        var rows = generated.Split('\n').Where(l => l.StartsWith('|')).Select(Cells).ToList();
        var column = rows[0].IndexOf(stack);
        if (column < 1) throw new InvalidOperationException($"docs/stacks.md has no column '{stack}'");
        // "–": the case is not in this stack's catalog (it depends on a limit the profile declares).
        return rows.Where(r => r[0].StartsWith('`') && r[column] != "–")
            .ToDictionary(r => r[0].Trim('`'), r => Parse(r[column].Trim('*')));
    }

    /// <summary>The hand-written section of <paramref name="stack"/>: from "## `php-defaults`" up to the
    /// next "## ".</summary>
    public static string Section(string stack)
    {
        var text = File.ReadAllText(Path);
        var start = text.IndexOf($"## `{stack}`", StringComparison.Ordinal);
        if (start < 0) throw new InvalidOperationException($"docs/stacks.md has no section ## `{stack}`");
        var end = text.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        return end < 0 ? text[start..] : text[start..end];
    }

    private static List<string> Cells(string row) => row.Trim().Trim('|').Split(" | ").Select(c => c.Trim()).ToList();

    private static Verdict Parse(string word) => Enum.GetValues<Verdict>().Single(v => VerdictWords.Word(v) == word);

    /// <summary>Case ids written as code in a section.</summary>
    public static ISet<string> Mentioned(string section) =>
        CaseId().Matches(section).Select(m => m.Groups[1].Value).ToHashSet();

    [GeneratedRegex(@"`([a-z0-9]+(?:\.[a-z0-9-]+)+)`")]
    private static partial Regex CaseId();
}

/// <summary>One stack of docs/stacks.md: its real server, started on loopback by the fixture, graded by
/// <c>conform</c> through the CLI with the stack's profile, as a user would run it. The test holds the
/// verdicts to the matrix the document shows and to the findings its section explains. docs/stacks.sh
/// sets UC_STACK_RESULTS to collect the runs and regenerate the matrix; the matrix check is then
/// skipped, since the document is what is being rewritten.</summary>
public abstract class StackTests<TServer>(TServer server, ITestOutputHelper output) where TServer : IStackServer
{
    protected TServer Server => server;

    /// <summary>The column in docs/stacks.md and the name of the run folder.</summary>
    protected abstract string Stack { get; }

    /// <summary>The profile in profiles/ that describes the server truthfully.</summary>
    protected abstract string Profile { get; }

    /// <summary>The behaviours docs/stacks.md explains for this stack, asserted with their evidence.</summary>
    protected abstract void AssertFindings(IReadOnlyDictionary<string, CaseResult> cases);

    [Fact]
    public async Task The_catalog_grades_the_stack_as_docs_stacks_md_says()
    {
        var collect = Environment.GetEnvironmentVariable("UC_STACK_RESULTS");
        var dir = collect is { Length: > 0 } ? System.IO.Path.Combine(collect, Stack)
            : System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"uc-stack-{Stack}-{Guid.NewGuid():N}");
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await Cli.Cli.RunAsync(["conform", "--target", server.Url.ToString(), "--profile",
            System.IO.Path.Combine(Repo.Root, "profiles", Profile), "--out", dir], stdout, stderr,
            CancellationToken.None);
        Assert.True(code is ExitCodes.Ok or ExitCodes.Failures, $"exit {code}: {stderr}");
        var run = ResultsFile.Read(dir);
        foreach (var c in run.Cases) output.WriteLine($"{VerdictWords.Word(c.Verdict),-13} {c.Id,-42} {c.Reason}");
        var cases = run.Cases.ToDictionary(c => c.Id);

        AssertFindings(cases);
        Assert.DoesNotContain(run.Cases, c => c.Reason.Contains("the server hangs"));
        if (collect is { Length: > 0 }) return;
        var documented = StacksDocument.Matrix(Stack);
        var differ = cases.Values
            .Where(c => !documented.TryGetValue(c.Id, out var v) || v != c.Verdict)
            .Select(c => $"{c.Id}: documented "
                + $"{(documented.TryGetValue(c.Id, out var v) ? VerdictWords.Word(v) : "-")}, "
                + $"now {VerdictWords.Word(c.Verdict)} ({c.Reason})")
            .Concat(documented.Keys.Where(id => !cases.ContainsKey(id)).Select(id => $"{id}: documented, not run"))
            .ToList();
        Assert.True(differ.Count == 0,
            $"verdicts differ from docs/stacks.md (run docs/stacks.sh and explain them):\n{string.Join("\n", differ)}");
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void Every_case_the_stack_does_not_pass_is_explained_in_its_section()
    {
        var section = StacksDocument.Mentioned(StacksDocument.Section(Stack));
        var unexplained = StacksDocument.Matrix(Stack).Where(c => c.Value != Verdict.Pass && !section.Contains(c.Key))
            .Select(c => c.Key).ToList();
        Assert.True(unexplained.Count == 0, $"not explained under ## `{Stack}`: {string.Join(", ", unexplained)}");
    }
}
