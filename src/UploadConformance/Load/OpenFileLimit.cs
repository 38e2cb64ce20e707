using System.Runtime.InteropServices;

namespace UploadConformance.Load;

/// <summary>The sockets a load run may hold at once, against this process's open-file limit. Past the
/// limit it is not the run that fails but the runtime: a timer or a socket engine that cannot get a
/// descriptor is reported as "Out of memory." and the process aborts without its results. So a run that
/// could get there is refused before it starts, with the number to raise the limit to.</summary>
public static partial class OpenFileLimit
{
    /// <summary>Descriptors the process holds besides the run's sockets: the runtime, its assemblies,
    /// payload files, the results being written, a metrics endpoint.</summary>
    public const int Reserve = 128;

    /// <summary>The soft limit (RLIMIT_NOFILE); .NET raises it to the hard limit at start-up. Null where
    /// it cannot be read (Windows).</summary>
    public static long? Current()
    {
        if (!OperatingSystem.IsLinux()) return null;
        return GetRLimit(LinuxNoFile, out var limit) == 0 ? (long)Math.Min(limit.Current, long.MaxValue) : null;
    }

    /// <summary>Why <paramref name="sockets"/> at once cannot be held under <paramref name="limit"/>, or
    /// null.</summary>
    public static string? Problem(long sockets, long? limit)
    {
        if (limit is not { } l || sockets + Reserve <= l) return null;
        return $"this run may hold {sockets} sockets at once, and this machine's open-file limit is {l}: raise it "
            + $"to {sockets + Reserve} or more (ulimit -n {sockets + Reserve}), or lower the scenario's connections "
            + "or maxInFlight";
    }

    /// <exception cref="OpenFileLimitException">The sockets would not fit.</exception>
    public static void Check(long sockets)
    {
        if (Problem(sockets, Current()) is { } problem) throw new OpenFileLimitException(problem);
    }

    private const int LinuxNoFile = 7;

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRLimit(int resource, out RLimit limit);
}

/// <summary>A run that would need more descriptors than this machine allows; the message says how many.</summary>
public sealed class OpenFileLimitException(string message) : Exception(message);
