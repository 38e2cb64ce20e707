using System.Diagnostics;
using UploadConformance.Results;

namespace UploadConformance.Tests;

/// <summary>uc as users of .NET tools get it: <c>dotnet pack</c> makes the package, <c>dotnet tool
/// install</c> takes it from a local folder feed (nothing is published from here), and the
/// installed command runs from any folder, embedded server, images and built-in scenarios included.</summary>
[Collection(ReleaseBuild.Name)]
public class ToolPackageTests
{
    [Fact]
    public async Task The_packed_tool_installs_from_a_folder_feed_and_runs_from_anywhere()
    {
        var root = Path.Combine(Path.GetTempPath(), "uc-tool-" + Guid.NewGuid().ToString("N"));
        var feed = Path.Combine(root, "feed");
        var tools = Path.Combine(root, "tools");
        var elsewhere = Path.Combine(root, "work");
        Directory.CreateDirectory(elsewhere);

        await Run("dotnet", $"pack src/UploadConformance.Cli -c Release -o {feed} -nologo", Repo.Root);
        var package = Assert.Single(Directory.GetFiles(feed, "UploadConformance.Tool.*.nupkg"));
        Assert.True(new FileInfo(package).Length < 120_000_000, $"{new FileInfo(package).Length} bytes");
        await Run("dotnet",
            $"tool install UploadConformance.Tool --tool-path {tools} --add-source {feed} --ignore-failed-sources",
            elsewhere);

        var uc = Path.Combine(tools, "uc");
        var (_, version) = await Run(uc, "--version", elsewhere);
        Assert.Matches(@"^\d+\.\d+\.\d+", version.Trim());
        var (_, cases) = await Run(uc, "cases --suite answers", elsewhere);
        Assert.Contains("answers.json-utf8", cases);
        var (_, upload) = await Run(uc, "upload --size 20KiB --out out", elsewhere);
        Assert.Contains("PASS", upload);
        Assert.Equal("upload", ResultsFile.Read(Path.Combine(elsewhere, "out")).Run.Verb);
        var (_, load) = await Run(uc, "load --scenario smoke --duration 1s --out load", elsewhere);
        Assert.Contains("scenario 'smoke'", load);
        var (_, completions) = await Run(uc, "\"[suggest:9]\" \"load --sc\"", elsewhere);
        Assert.Contains("--scenario", completions);
    }

    private static async Task<(int Code, string Out)> Run(string file, string arguments, string workingDirectory)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(bound.Token);
        Assert.True(process.ExitCode == 0,
            $"{file} {arguments} exited {process.ExitCode}: {await errors}{await output}");
        return (process.ExitCode, await output);
    }
}

/// <summary>Tests that build the Release CLI (run.sh, run.ps1, dotnet pack) take turns: two builds of
/// one project at once trip over each other's files.</summary>
[CollectionDefinition(Name)]
public sealed class ReleaseBuild
{
    public const string Name = "release build";
}
