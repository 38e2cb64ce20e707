using System.Diagnostics;

namespace UploadConformance.Tests;

/// <summary>Every program the tests need from outside the repository, installed in one place. Each
/// install runs under one lock shared by every test class and every process on the machine (a file
/// opened exclusively), so two fixtures never run apt-get at once; it is idempotent (what is there
/// is not installed again) and a failure is one message naming what could not be installed.</summary>
public static class Prerequisites
{
    /// <summary>The lock file; apt-get's own lock refuses a second apt-get instead of waiting.</summary>
    public static string LockPath { get; } = Path.Combine(Path.GetTempPath(), "uploadconformance-setup.lock");

    /// <summary>Installs Debian <paramref name="packages"/> unless every one of <paramref name="provides"/>
    /// exists.</summary>
    /// <returns>True when this call installed them, false when they were there.</returns>
    public static Task<bool> DebianAsync(string[] provides, params string[] packages) =>
        DebianAsync(provides, AptLockWait, packages);

    /// <summary>How long an install waits for apt's own locks, held by another apt-get or by
    /// unattended-upgrades, before it fails naming the holder.</summary>
    public static readonly TimeSpan AptLockWait = TimeSpan.FromMinutes(5);

    public static Task<bool> DebianAsync(string[] provides, TimeSpan aptLockWait, params string[] packages) =>
        ExclusiveAsync(async () =>
    {
        if (provides.All(p => File.Exists(p) || Directory.Exists(p))) return false;
        var what = string.Join(" ", packages);
        await AptAsync("update -qq", aptLockWait,
            $"could not install {what}: apt-get update failed (it needs root and Debian's package index)");
        await AptAsync($"install -y -qq --no-install-recommends {what}", aptLockWait,
            $"could not install {what} with apt-get");
        if (provides.FirstOrDefault(p => !File.Exists(p) && !Directory.Exists(p)) is { } missing)
            throw new InvalidOperationException($"installed {what}, but {missing} is still missing");
        return true;
    });

    public static Task NginxAsync() => DebianAsync(["/usr/sbin/nginx"], "nginx-light");

    /// <summary>Prometheus 2.42: it scrapes a run's live metrics in the tests.</summary>
    public static Task PrometheusAsync() => DebianAsync(["/usr/bin/prometheus"], "prometheus");

    public static Task PhpAsync() => DebianAsync(["/usr/bin/php8.2"], "php8.2-cli");

    /// <summary>Tomcat 10.1 with Debian's conf, and a JDK to compile the test servlet.</summary>
    public static Task TomcatAsync() => DebianAsync(
        ["/usr/share/tomcat10/bin/bootstrap.jar", "/etc/tomcat10/web.xml", "/usr/bin/javac"],
        "tomcat10", "openjdk-17-jdk-headless");

    public static Task ChromiumAsync() =>
        DebianAsync(["/usr/bin/chromium", "/usr/share/fonts/truetype/wqy"], "chromium", "fonts-wqy-zenhei");

    /// <summary>A node project's dependencies from its lockfile.</summary>
    public static Task NpmAsync(string folder) => ExclusiveAsync(async () =>
    {
        if (File.Exists(Path.Combine(folder, "node_modules", ".package-lock.json"))) return false;
        await RunAsync("npm", "ci --no-audit --no-fund", folder,
            $"could not install the node packages of {folder} with npm ci");
        return true;
    });

    /// <summary>The repository's local .NET tools (pwsh, which runs run.ps1).</summary>
    public static Task DotnetToolsAsync() => ExclusiveAsync(async () =>
    {
        await RunAsync("dotnet", "tool restore", Repo.Root,
            "could not restore the local .NET tools (.config/dotnet-tools.json)");
        return true;
    });

    private static readonly SemaphoreSlim InProcess = new(1, 1);

    /// <summary>Runs <paramref name="install"/> holding the machine-wide lock; true when it installed
    /// something.</summary>
    public static async Task<bool> ExclusiveAsync(Func<Task<bool>> install)
    {
        // Within one process a semaphore queues the callers; across processes the file lock does.
        await InProcess.WaitAsync();
        try
        {
            await using var held = await AcquireAsync(TimeSpan.FromMinutes(15));
            return await install();
        }
        finally
        {
            InProcess.Release();
        }
    }

    private static async Task<FileStream> AcquireAsync(TimeSpan bound)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                // FileShare.None is an exclusive lock (flock) that another process's open refuses.
                return new FileStream(LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (clock.Elapsed < bound)
            {
                // Another process installs; there is no lock to wait on but this one.
                await Task.Delay(200);
            }
        }
    }

    /// <summary>apt-get, waiting while another apt holds its locks ("Could not get lock …"): ours is
    /// only among the tests, apt's is machine-wide. apt's own fcntl locks cannot be waited on from
    /// here, so a refusal is retried every two seconds, up to <paramref name="wait"/>; then the
    /// failure says what held the lock, as apt-get said it.</summary>
    private static async Task AptAsync(string arguments, TimeSpan wait, string failure)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await RunAsync("apt-get", arguments, "/", failure);
                return;
            }
            catch (InvalidOperationException e) when (e.Message.Contains("Could not get lock",
                StringComparison.Ordinal))
            {
                if (clock.Elapsed >= wait)
                    throw new InvalidOperationException(
                        $"{failure}: apt's lock was still held after {wait.TotalSeconds:0} s ({HeldBy(e.Message)})");
                await Task.Delay(TimeSpan.FromSeconds(2));
            }
        }
    }

    /// <summary>apt-get's own words on the lock: "Could not get lock /var/lib/apt/lists/lock. It is held
    /// by process 1234 (apt-get)".</summary>
    private static string HeldBy(string said)
    {
        var at = said.IndexOf("Could not get lock", StringComparison.Ordinal);
        var line = said[at..].Split('\n')[0].Trim();
        return line.Length > 200 ? line[..200] : line;
    }

    private static async Task RunAsync(string file, string arguments, string workingDirectory, string failure)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{failure}: {file} did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{failure}: {file} is not on this machine ({e.Message})");
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(10));
            await process.WaitForExitAsync(bound.Token);
            if (process.ExitCode != 0)
            {
                var said = (await errors + await output).Trim();
                throw new InvalidOperationException(
                    $"{failure} (exit {process.ExitCode}): {said[Math.Max(0, said.Length - 600)..]}");
            }
        }
    }
}
