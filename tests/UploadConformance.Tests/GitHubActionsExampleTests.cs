using System.Diagnostics;
using System.Text.RegularExpressions;

namespace UploadConformance.Tests;

/// <summary>README's GitHub Actions example, run as a runner would: its <c>run:</c> steps in order
/// with the job's environment (a fake token, the target on loopback), <c>uc</c> being the CLI built
/// beside the tests (the install step is the .NET tool test's subject, from a folder feed).</summary>
[Collection(ReleaseBuild.Name)]
public class GitHubActionsExampleTests
{
    private sealed record Step(string Name, string Run, bool Always);

    private static IReadOnlyList<Step> ExampleSteps()
    {
        var readme = File.ReadAllText(Path.Combine(Repo.Root, "README.md"));
        var section = readme[readme.IndexOf("### In GitHub Actions", StringComparison.Ordinal)..];
        var yaml = Regex.Match(section, "```yaml\n(.*?)```", RegexOptions.Singleline).Groups[1].Value;
        var steps = new List<Step>();
        foreach (Match m in Regex.Matches(yaml,
            @"- name: (?<name>[^\n]+)\n(?:\s+if: (?<if>[^\n]+)\n)?\s+run: (?<run>[^\n]+)"))
            steps.Add(new Step(m.Groups["name"].Value, m.Groups["run"].Value, m.Groups["if"].Value == "always()"));
        Assert.Contains("STAGING_TOKEN: ${{ secrets.STAGING_TOKEN }}", yaml);
        Assert.True(
            yaml.IndexOf("STAGING_TOKEN", StringComparison.Ordinal) < yaml.IndexOf("steps:", StringComparison.Ordinal),
            "the token must be set for the whole job, not one step");
        return steps;
    }

    [Fact]
    public async Task The_examples_steps_run_in_order_and_each_one_succeeds()
    {
        var steps = ExampleSteps();
        Assert.Equal(["Install UploadConformance", "Conformance against staging", "Load gate", "Job summary"],
            steps.Select(s => s.Name));

        await using var server =
            await ReferenceServer.ReferenceServer.StartAsync(new ReferenceServer.ReferenceServerOptions());
        var work = Path.Combine(Path.GetTempPath(), "uc-gha-" + Guid.NewGuid().ToString("N"));
        var bin = Path.Combine(work, "bin");
        Directory.CreateDirectory(bin);
        var uc = Path.Combine(bin, "uc");
        await File.WriteAllTextAsync(uc,
            $"#!/bin/sh\nexec dotnet {Path.Combine(AppContext.BaseDirectory, "uc.dll")} \"$@\"\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(uc,
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        // The user's own profile, as their repository would hold it: the token goes in a header.
        await File.WriteAllTextAsync(Path.Combine(work, "upload-profile.yaml"),
            "field: images\nheaders:\n  X-Token: ${STAGING_TOKEN}\n");
        var summary = Path.Combine(work, "step-summary.md");

        foreach (var step in steps.Skip(1))
        {
            var (code, output) = await Bash(step.Run, work, new()
            {
                ["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}",
                ["STAGING_TOKEN"] = "fake-token-for-the-test",
                ["TARGET"] = server.UploadUrl.ToString(),
                ["GITHUB_STEP_SUMMARY"] = summary,
            });
            Assert.True(code == 0, $"step '{step.Name}' exited {code}:\n{output}");
        }
        var written = await File.ReadAllTextAsync(summary);
        Assert.Contains("# UploadConformance", written);
        Assert.Contains("## Load: `smoke`", written);
        Assert.True(File.Exists(Path.Combine(work, "reports", "ci", "junit.xml")));
        Assert.True(File.Exists(Path.Combine(work, "reports", "ci-load", "junit.xml")));
    }

    private static async Task<(int Code, string Output)> Bash(string command, string directory,
        Dictionary<string, string> env)
    {
        var start = new ProcessStartInfo("bash", ["-eo", "pipefail", "-c", command])
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (k, v) in env) start.Environment[k] = v;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(bound.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
