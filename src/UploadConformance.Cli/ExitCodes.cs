namespace UploadConformance.Cli;

/// <summary>Documented in README.md; scripts and CI gate on these, so they never change meaning.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>A case failed, a load threshold was breached, or (report) a regression was found.</summary>
    public const int Failures = 1;
    /// <summary>Bad usage or configuration, said in one line on stderr.</summary>
    public const int Usage = 2;
    /// <summary>The target could not be reached, before the run or during it.</summary>
    public const int Unreachable = 3;
    /// <summary>A split run is incomplete: a worker was lost, or a generator's results are missing from a
    /// merge. What the others sent is merged and written.</summary>
    public const int Incomplete = 4;
    /// <summary>A bug in uc (sysexits' EX_SOFTWARE): one line on stderr, never the runtime's abort.</summary>
    public const int Internal = 70;
    /// <summary>Ctrl-C (SIGINT): results gathered so far were written.</summary>
    public const int Interrupted = 130;
    /// <summary>SIGTERM: results gathered so far were written.</summary>
    public const int Terminated = 143;
}

/// <summary>Bad usage or configuration; its message is printed as one line and the exit code is 2.</summary>
public sealed class UsageException(string message) : Exception(message);
