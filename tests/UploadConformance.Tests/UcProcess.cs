using System.Diagnostics;
using System.Runtime.InteropServices;

namespace UploadConformance.Tests;

/// <summary>uc.dll as built beside the tests, started with dotnet as a child process of its own, its
/// output read line by line; killed with its children when disposed.</summary>
public sealed class UcProcess : IAsyncDisposable
{
    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigTerm = 15;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly Task _reading;

    public UcProcess(params string[] args) : this("dotnet", [Path.Combine(AppContext.BaseDirectory, "uc.dll"), .. args])
    {
    }

    private UcProcess(string file, IEnumerable<string> args, string? workingDirectory = null)
    {
        var start =
            new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true,
            UseShellExecute = false, WorkingDirectory = workingDirectory ?? "" };
        foreach (var a in args) start.ArgumentList.Add(a);
        _process = Process.Start(start)!;
        _reading = Task.Run(async () =>
        {
            while (await _process.StandardOutput.ReadLineAsync() is { } line)
                lock (_lines) _lines.Add(line);
        });
        Errors = _process.StandardError.ReadToEndAsync();
    }

    /// <summary>A command as a user types it (<c>bash run.sh serve</c>), from the repository's root.</summary>
    public static UcProcess Command(string file, params string[] args) => new(file, args, Repo.Root);

    public int Id => _process.Id;

    public Task<string> Errors { get; }

    public string Output
    {
        get { lock (_lines) return string.Join('\n', _lines); }
    }

    /// <summary>The first output line matching <paramref name="match"/>, waiting for it up to a minute.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(1))
        {
            lock (_lines)
            {
                if (_lines.FirstOrDefault(match) is { } line) return line;
            }
            if (_process.HasExited && _reading.IsCompleted) break;
            // The child writes when it writes; polling its collected output is all there is.
            await Task.Delay(25);
        }
        throw new TimeoutException(
            $"no such line; output so far:\n{Output}\n{(_process.HasExited ? await Errors : "")}");
    }

    public void Signal(int signal) => Assert.Equal(0, kill(_process.Id, signal));

    /// <summary>The exit code and how long after the call the process ended.</summary>
    public async Task<(int Code, TimeSpan After)> ExitAsync(TimeSpan bound)
    {
        var clock = Stopwatch.StartNew();
        using var limit = new CancellationTokenSource(bound);
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException(
                $"uc did not exit within {bound.TotalSeconds} s of the signal; output:\n{Output}");
        }
        await _reading;
        return (_process.ExitCode, clock.Elapsed);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
