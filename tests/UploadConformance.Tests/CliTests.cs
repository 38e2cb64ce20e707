using System.Diagnostics;
using System.Text.Json;
using UploadConformance.Results;
using UploadConformance.Verification;

namespace UploadConformance.Tests;

public class CliTests
{
    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await Cli.Cli.RunAsync(args, stdout, stderr, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static string TempDir() => Path.Combine(Path.GetTempPath(), "uc-cli-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task The_default_run_verifies_every_upload_and_writes_results_and_summary()
    {
        var dir = TempDir();
        var (code, output, err) = await Run("--out", dir);
        Assert.True(code == 0, output + err);
        var results = ResultsFile.Read(dir);
        Assert.Equal(ResultsDocument.CurrentVersion, results.Version);
        Assert.True(results.Run.Target.Embedded);
        Assert.All(results.Cases, c => Assert.True(c.Verdict == Verdict.Pass, $"{c.Id}: {c.Reason}"));
        Assert.Contains(results.Cases, c => c.Outcome.ErrMsg == "uploadFile:fail abort");
        Assert.Contains(results.Cases, c => c.Outcome.ErrMsg == "uploadFile:fail timeout");
        Assert.Contains(results.Cases, c => c.Request.Files.Any(f => f.FileName.Contains('报')));
        Assert.Contains(results.Cases, c => c.Request.Files.Count > 1);
        Assert.Equal(results.Cases.Count, results.Summary.Pass);
        var summary = await File.ReadAllTextAsync(Path.Combine(dir, UploadConformance.Reporting.SummaryMarkdown.Name));
        Assert.Contains("all verified", summary);
        Assert.All(results.Cases, c => Assert.Contains(c.Id, summary));
        Assert.Contains(results.Cases[0].Id, output);
    }

    [Theory]
    [InlineData(new[] { "--bogus" }, "unknown option --bogus")]
    [InlineData(new[] { "conformz" }, "unknown verb 'conformz'")]
    [InlineData(new[] { "--seed", "x" }, "--seed takes a whole number")]
    [InlineData(new[] { "--target", "ftp://127.0.0.1/x" }, "--target takes an http:// or https:// URL")]
    [InlineData(new[] { "--target" }, "option --target needs a value")]
    [InlineData(new[] { "upload" }, "upload needs --file <path> or --size <bytes>")]
    [InlineData(new[] { "upload", "--file", "/nonexistent/photo.jpg" }, "cannot read --file /nonexistent/photo.jpg")]
    [InlineData(new[] { "upload", "--size", "10", "--abort", "150%" }, "--abort takes a percentage")]
    [InlineData(new[] { "serve", "--host", "localhost-ish" }, "--host takes an IP address")]
    public async Task Bad_usage_is_one_line_on_stderr_and_exit_code_2(string[] args, string message)
    {
        var (code, output, err) = await Run(args);
        Assert.Equal(2, code);
        Assert.StartsWith("uc: ", err);
        Assert.Contains(message, err);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.DoesNotContain("   at ", err + output);
    }

    /// <summary>A missing file, a bad value and an address this machine does not have (192.0.2.1, TEST-NET-1,
    /// is never assigned), for every verb that reads one: one line, exit code 2, never a stack trace.</summary>
    [Theory]
    [InlineData(new[] { "run", "--seed", "-1" }, "--seed takes a whole number")]
    [InlineData(new[] { "conform", "--profile", "/nonexistent/p.yaml" }, "cannot read the profile")]
    [InlineData(new[] { "cases", "--profile", "/nonexistent/p.yaml" }, "cannot read the profile")]
    [InlineData(new[] { "load", "--scenario", "nosuch" }, "no built-in scenario of that name")]
    [InlineData(new[] { "load", "--scenario", "./missing/x.yaml" }, "./missing/x.yaml: cannot read the scenario")]
    [InlineData(new[] { "load", "--scenario", "smoke", "--duration", "0" },
        "--duration takes a duration above 0 such as 500ms, 30s or 2m, not '0'")]
    [InlineData(new[] { "load", "--scenario", "smoke", "--metrics", "prometheus:192.0.2.1:9464" },
        "--metrics: cannot listen on http://192.0.2.1:9464/metrics")]
    [InlineData(new[] { "k8s", "--workers", "2", "--scenario", "/nowhere/scenarios/soak.yaml", "--target",
        "http://127.0.0.1:1/x", "--out", "/tmp" }, "(a built-in scenario has that name: --scenario soak)")]
    [InlineData(new[] { "coordinate", "--workers", "1", "--scenario", "smoke", "--target", "http://127.0.0.1:1/x",
        "--listen", "192.0.2.1:0" }, "cannot listen on 192.0.2.1:0")]
    [InlineData(new[] { "worker", "--coordinator", "ftp://x" }, "--coordinator takes an http:// or https:// URL")]
    [InlineData(new[] { "serve", "--host", "192.0.2.1", "--port", "0" }, "this machine has no address 192.0.2.1")]
    [InlineData(new[] { "serve", "--storage", "/proc/version" }, "is a file, not a folder")]
    [InlineData(new[] { "upload", "--size", "10m" }, "--size")]
    [InlineData(new[] { "report", "/nonexistent/run" }, "/nonexistent/run")]
    [InlineData(new[] { "report", "--tolerance", "many", "/tmp" }, "--tolerance takes a percentage")]
    [InlineData(new[] { "merge", "/nonexistent/a", "/nonexistent/b" }, "/nonexistent/a")]
    [InlineData(new[] { "completion", "fish" }, "completion takes bash or zsh, not 'fish'")]
    public async Task Every_verb_refuses_a_missing_file_a_bad_value_or_an_unbindable_address_in_one_line(string[] args,
        string message)
    {
        var (code, output, err) = await Run(args);
        Assert.True(code == 2, $"exit {code}: {output}{err}");
        Assert.StartsWith("uc: ", err);
        Assert.Contains(message, err);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.DoesNotContain("   at ", err + output);
        Assert.DoesNotContain("\\n", err);
    }

    [Fact]
    public async Task Upload_grades_against_the_declared_limits_and_a_refusal_is_never_a_pass()
    {
        await using var server = await ReferenceServer.ReferenceServer.StartAsync(
            new ReferenceServer.ReferenceServerOptions { Port = 0, MaxFileBytes = 1L << 20 });
        var url = server.UploadUrl.ToString();
        var refused = await Run("upload", "--size", "2MiB", "--target", url, "--out", TempDir());
        Assert.True(refused.Code == 1, refused.Out + refused.Err);
        Assert.Contains("not stored: refused a well-formed upload with 413", refused.Out);

        var declares = TempDir() + ".yaml";
        await File.WriteAllTextAsync(declares, "limits:\n  maxFileBytes: 1MiB\n");
        var overDeclared = await Run("upload", "--size", "2MiB", "--target", url, "--profile", declares, "--out",
            TempDir());
        Assert.True(overDeclared.Code == 1, overDeclared.Out + overDeclared.Err);
        Assert.Contains("not stored: refused as the profile's limits.maxFileBytes declares", overDeclared.Out);

        // Under the server's limit and with nothing declared: stored, fetched back, a pass.
        var stored = await Run("upload", "--size", "512KiB", "--target", url, "--out", TempDir());
        Assert.True(stored.Code == 0, stored.Out + stored.Err);
        Assert.Contains("file.fetched: ok", stored.Out);
        Assert.Contains("1 case: 1 pass", stored.Out);
        Assert.True(stored.Out.IndexOf("progress 100%", StringComparison.Ordinal)
            < stored.Out.IndexOf("verdict", StringComparison.Ordinal), "the table header comes after the progress");
    }

    [Fact]
    public async Task Upload_sends_under_the_profiles_field_unless_field_is_given()
    {
        await using var server = await ReferenceServer.ReferenceServer.StartAsync(
            new ReferenceServer.ReferenceServerOptions { Port = 0, FileField = "file" });
        var profile = TempDir() + ".yaml";
        await File.WriteAllTextAsync(profile, "field: file\n");
        var stored = await Run("upload", "--size", "10KiB", "--target", server.UploadUrl.ToString(), "--profile",
            profile, "--out", TempDir());
        Assert.True(stored.Code == 0, stored.Out + stored.Err);
        var other = await Run("upload", "--size", "10KiB", "--target", server.UploadUrl.ToString(), "--profile",
            profile, "--field", "images", "--out", TempDir());
        Assert.True(other.Code == 1, other.Out + other.Err);
        Assert.Contains("no file under field 'file' (got 'images')", other.Out);
    }

    [Fact]
    public async Task A_run_refused_before_it_starts_leaves_no_empty_folder()
    {
        var parent = TempDir();
        var dir = Path.Combine(parent, "run");
        var (code, _, _) = await Run("load", "--scenario", "smoke", "--target", "http://127.0.0.1:1/image", "--out",
            dir);
        Assert.Equal(3, code);
        Assert.False(Directory.Exists(parent), $"{parent} was left behind");
    }

    [Fact]
    public async Task Conform_against_the_embedded_server_passes_and_against_a_defective_one_exits_1()
    {
        var dir = TempDir();
        var (code, output, err) = await Run("conform", "--suite", "wx,answers", "--out", dir);
        Assert.True(code == 0, output + err);
        var results = ResultsFile.Read(dir);
        Assert.Equal("conform", results.Run.Verb);
        Assert.All(results.Cases, c =>
            Assert.True(c.Verdict is Verdict.Pass or Verdict.Informational, $"{c.Id}: {c.Reason}"));
        Assert.All(results.Cases, c => Assert.True(c.Suite is "wx" or "answers"));

        await using var broken =
            await ReferenceServer.ReferenceServer.StartAsync(
            new ReferenceServer.ReferenceServerOptions { Defects = ReferenceServer.ServerDefects.Latin1Filenames });
        var profile = Path.Combine(TempDir() + ".yaml");
        await File.WriteAllTextAsync(profile, "field: images\nlimits:\n  maxFileBytes: 64MiB\n");
        var failing =
            await Run("conform", "--target", broken.UploadUrl.ToString(), "--profile", profile, "--case",
            "wx.filename.*", "--out", TempDir());
        Assert.Equal(1, failing.Code);
        Assert.Matches(@"\n  FAIL +wx\.filename\.chinese ", failing.Out);
    }

    [Fact]
    public async Task Cases_lists_every_case_with_a_stable_unique_id()
    {
        var (code, output, _) = await Run("cases");
        Assert.Equal(0, code);
        var lines = output.Split('\n').Where(l => l.StartsWith("  ", StringComparison.Ordinal)).ToList();
        var expectations = lines.Where(l => l.TrimStart().StartsWith("expects: ", StringComparison.Ordinal)).ToList();
        var ids = lines.Except(expectations).Select(l => l.Trim().Split(' ')[0]).ToList();
        Assert.Equal(ids.Count, expectations.Count);
        Assert.True(ids.Count >= 80, $"{ids.Count} cases");
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Matches(@"^(wx|limits|wire|transport|answers)\.[a-z0-9.\-]+$", id));
        Assert.Contains($"{ids.Count} cases", output);
    }

    [Theory]
    [InlineData(new[] { "conform", "--suite", "wxx" }, "no suite 'wxx'")]
    [InlineData(new[] { "conform", "--case", "nope.*" }, "no case matches --case 'nope.*'")]
    [InlineData(new[] { "conform", "--profile", "/nonexistent/p.yaml" },
        "/nonexistent/p.yaml: cannot read the profile")]
    [InlineData(new[] { "serve", "--defect", "sloppy" }, "--defect: no defect 'sloppy'")]
    public async Task Conform_usage_errors_are_one_line_and_exit_code_2(string[] args, string message)
    {
        var (code, _, err) = await Run(args);
        Assert.Equal(2, code);
        Assert.Contains(message, err);
        Assert.Single(err.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task An_unreachable_target_is_one_line_and_exit_code_3()
    {
        var (code, _, err) = await Run("--target", "http://127.0.0.1:1/image", "--out", TempDir());
        Assert.Equal(3, code);
        Assert.Matches(@"^uc: target http://127\.0\.0\.1:1/image is unreachable: .*refused", err.TrimEnd());
        Assert.Single(err.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task A_port_already_taken_is_a_usage_error_naming_the_port()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        var (code, _, err) = await Run("serve", "--port", port.ToString());
        Assert.Equal(2, code);
        Assert.Contains($"cannot listen on 127.0.0.1:{port}", err);
    }

    [Fact]
    public async Task Upload_of_a_generated_payload_is_verified_and_reports_peak_memory()
    {
        var dir = TempDir();
        var (code, output, err) = await Run("upload", "--size", "3MiB", "--chunked", "--out", dir);
        Assert.True(code == 0, output + err);
        Assert.Matches(@"client peak RSS: \d+ MiB", output);
        Assert.Contains("progress 100%", output);
        var result = Assert.Single(ResultsFile.Read(dir).Cases);
        Assert.Equal(3L << 20, result.Request.Files[0].Size);
        Assert.Equal(Verdict.Pass, result.Verdict);
    }

    [Fact]
    public async Task Upload_with_an_abort_expects_and_verifies_a_clean_discard()
    {
        var (code, output, err) = await Run("upload", "--size", "2MiB", "--abort", "40%", "--out", TempDir());
        Assert.True(code == 0, output + err);
        Assert.Contains("uploadFile:fail abort", output);
        Assert.Contains("partial upload discarded: ok", output);
    }

    [Fact]
    public async Task A_results_file_of_another_version_or_corrupt_is_refused_in_one_line()
    {
        var dir = TempDir();
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, ResultsFile.FileName);
        await File.WriteAllTextAsync(path,
            JsonSerializer.Serialize(new { schema = ResultsDocument.SchemaName, version = 99 }));
        var e = Assert.Throws<ResultsFileException>(() => ResultsFile.Read(dir));
        Assert.Contains("results schema version 99; this build reads version 1", e.Message);
        await File.WriteAllTextAsync(path, "{\"schema\": \"upload-conformance/res");
        Assert.Contains("not valid JSON", Assert.Throws<ResultsFileException>(() => ResultsFile.Read(dir)).Message);
        await File.WriteAllTextAsync(path, "[]");
        Assert.Contains("not an UploadConformance results file",
            Assert.Throws<ResultsFileException>(() => ResultsFile.Read(dir)).Message);
    }
}

/// <summary>The two scripts a new user runs, end to end in child processes, as README says.</summary>
[Collection(ReleaseBuild.Name)]
public class RunScriptTests
{
    private static async Task<(int Code, string Out, string Err)> Exec(string file, params string[] args)
    {
        var start =
            new ProcessStartInfo(file) { WorkingDirectory = Repo.Root, RedirectStandardOutput = true,
            RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within 5 minutes");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    private static IReadOnlyList<string> Verdicts(string dir) =>
        ResultsFile.Read(dir).Cases.Select(c => $"{c.Id}={c.Verdict}").ToList();

    [Fact]
    public async Task Run_sh_and_run_ps1_give_the_same_verdicts_and_exit_codes()
    {
        var shOut = Path.Combine(Path.GetTempPath(), "uc-sh-" + Guid.NewGuid().ToString("N"));
        var psOut = Path.Combine(Path.GetTempPath(), "uc-ps-" + Guid.NewGuid().ToString("N"));

        await Prerequisites.DotnetToolsAsync();
        var sh = await Exec("bash", "run.sh", "--out", shOut);
        Assert.True(sh.Code == 0, sh.Out + sh.Err);
        var ps = await Exec("dotnet", "tool", "run", "pwsh", "--", "-NoProfile", "-File", "run.ps1", "--out", psOut);
        Assert.True(ps.Code == 0, ps.Out + ps.Err);
        Assert.Equal(Verdicts(shOut), Verdicts(psOut));

        var shBad = await Exec("bash", "run.sh", "--no-such-option");
        var psBad =
            await Exec("dotnet", "tool", "run", "pwsh", "--", "-NoProfile", "-File", "run.ps1", "--no-such-option");
        Assert.Equal(2, shBad.Code);
        Assert.Equal(2, psBad.Code);
        Assert.Equal(shBad.Err.Trim(), psBad.Err.Trim());
    }

    /// <summary>pwsh as the local tool installs it, started directly so that the process the test signals
    /// is PowerShell itself, as systemd or CI would signal it (<c>dotnet tool run</c> adds a shim process
    /// in between).</summary>
    private static string PwshDll()
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repo.Root, ".config",
            "dotnet-tools.json")));
        var version = manifest.RootElement.GetProperty("tools").GetProperty("powershell").GetProperty("version")
            .GetString()!;
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p ? p
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return Path.Combine(packages, "powershell", version, "tools", "net10.0", "any", "unix", "pwsh.dll");
    }

    [Theory]
    [InlineData("run.sh")]
    [InlineData("run.ps1")]
    public async Task SIGTERM_sent_to_the_script_stops_the_tool_which_removes_its_storage_and_exits_143(
        string script)
    {
        await Prerequisites.DotnetToolsAsync();
        string[] serve = ["serve", "--port", "0", "--quiet"];
        await using var run = script == "run.sh"
            ? UcProcess.Command("bash", ["run.sh", .. serve])
            : UcProcess.Command("dotnet", [PwshDll(), "-NoProfile", "-File", "run.ps1", .. serve]);
        var line = await run.WaitForLineAsync(l => l.TrimStart().StartsWith("storage: ", StringComparison.Ordinal));
        var storage = line.Split("storage: ")[1].Split(" (")[0];
        // The folder is named after the process that serves: the script must have become the tool.
        Assert.Contains($"uc-reference-{run.Id}-", storage);
        await run.WaitForLineAsync(l => l.StartsWith("Ctrl-C or SIGTERM stops it", StringComparison.Ordinal));
        run.Signal(UcProcess.SigTerm);
        var (code, _) = await run.ExitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(143, code);
        Assert.False(Directory.Exists(storage), $"{storage} is still there: the tool did not get the signal");
    }
}
