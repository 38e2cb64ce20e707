using System.Diagnostics;

namespace UploadConformance.Tests;

/// <summary>The one place tests install what they need: serialised, idempotent, in one message.</summary>
public class PrerequisitesTests
{
    [Fact]
    public async Task Two_installs_at_once_both_succeed_and_only_one_installs()
    {
        // GNU hello: small, harmless, and not on a fresh machine. Removed first, so the install is real.
        if (File.Exists("/usr/bin/hello")) await Shell("apt-get remove -y -qq hello");
        var both = await Task.WhenAll(
            Task.Run(() => Prerequisites.DebianAsync(["/usr/bin/hello"], "hello")),
            Task.Run(() => Prerequisites.DebianAsync(["/usr/bin/hello"], "hello")));
        Assert.True(File.Exists("/usr/bin/hello"));
        Assert.Equal(1, both.Count(installed => installed));
    }

    [Fact]
    public async Task While_one_process_installs_another_cannot_take_the_lock()
    {
        var inside = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var holder = Prerequisites.ExclusiveAsync(async () =>
        {
            inside.SetResult();
            await release.Task;
            return false;
        });
        await inside.Task;
        // flock(1) is another process asking for the same lock without waiting.
        Assert.Equal(1, await Shell($"flock -n {Prerequisites.LockPath} true", check: false));
        release.SetResult();
        await holder;
        Assert.Equal(0, await Shell($"flock -n {Prerequisites.LockPath} true", check: false));
    }

    /// <summary>apt's lists lock held by another process, as another apt-get or unattended-upgrades holds
    /// it: an install waits for it, and one that waits too long says who held it.</summary>
    [Fact]
    public async Task An_install_waits_for_apts_own_lock_and_a_bounded_wait_names_the_holder()
    {
        if (File.Exists("/usr/bin/hello")) await Shell("apt-get remove -y -qq hello");
        using (var holder = HoldAptLock(TimeSpan.FromSeconds(600)))
        {
            await WaitForLineAsync(holder);
            var e = await Assert.ThrowsAsync<InvalidOperationException>(() =>
                Prerequisites.DebianAsync(["/usr/bin/hello"], TimeSpan.FromSeconds(3), "hello"));
            Assert.Contains("apt's lock was still held after 3 s (Could not get lock /var/lib/apt/lists/lock",
                e.Message);
            Assert.Contains("held by process", e.Message);
            holder.Kill();
        }
        using (var holder = HoldAptLock(TimeSpan.FromSeconds(5)))
        {
            await WaitForLineAsync(holder);
            Assert.True(await Prerequisites.DebianAsync(["/usr/bin/hello"], "hello"));
            Assert.True(holder.HasExited, "the install finished while apt's lock was still held");
        }
        Assert.True(File.Exists("/usr/bin/hello"));
    }

    /// <summary>A process holding apt's lists lock the way apt does (fcntl), for <paramref name="time"/>.</summary>
    private static Process HoldAptLock(TimeSpan time) => Process.Start(new ProcessStartInfo("python3",
        ["-c", "import fcntl, sys, time\nf = open('/var/lib/apt/lists/lock', 'w')\nfcntl.lockf(f, fcntl.LOCK_EX)\n"
            + $"print('held', flush=True)\ntime.sleep({time.TotalSeconds})"])
    {
        RedirectStandardOutput = true,
    })!;

    private static async Task WaitForLineAsync(Process process) =>
        Assert.Equal("held", await process.StandardOutput.ReadLineAsync());

    [Fact]
    public async Task A_package_that_does_not_exist_is_one_message_naming_it()
    {
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Prerequisites.DebianAsync(["/nonexistent/uc-tool"], "uc-no-such-package"));
        Assert.StartsWith("could not install uc-no-such-package", e.Message);
    }

    private static async Task<int> Shell(string command, bool check = true)
    {
        using var process =
            Process.Start(
            new ProcessStartInfo("bash", ["-c", command]) { RedirectStandardOutput = true,
            RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (check
            && process.ExitCode != 0) throw new InvalidOperationException($"{command}: {await errors}{await output}");
        return process.ExitCode;
    }
}
