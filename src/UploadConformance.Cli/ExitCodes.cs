namespace UploadConformance.Cli;

/// <summary>Documented in README.md; scripts and CI gate on these, so they never change meaning.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failures = 1;
    public const int Usage = 2;
    public const int Unreachable = 3;
    /// <summary>Ctrl-C: results gathered so far were written.</summary>
    public const int Interrupted = 130;
}

/// <summary>Bad usage or configuration; its message is printed as one line and the exit code is 2.</summary>
public sealed class UsageException(string message) : Exception(message);
