namespace UploadConformance.Verification;

/// <summary>Autobahn-style grading: <see cref="NonStrict"/> is acceptable but not ideal (400 where
/// 413 is right); <see cref="Fail"/> is wrong data, a 5xx, a hang or a crash.</summary>
public enum Verdict { Pass, NonStrict, Fail, Informational }

/// <summary>How bad a failure is: a 500 on malformed input is common in healthy stacks (soft);
/// wrong stored data, a hang or a dead server is not (hard).</summary>
public enum Severity { Soft, Hard }

/// <summary>One thing that was compared, with both sides, so a verdict carries its evidence.</summary>
public sealed record Check(string Name, bool Ok, string? Expected = null, string? Actual = null, bool Checked = true)
{
    public static Check Skipped(string name, string why) => new(name, true, null, why, Checked: false);

    public override string ToString() =>
        !Checked ? $"{Name}: not checked ({Actual})"
        : Ok ? $"{Name}: ok"
        : $"{Name}: expected {Expected ?? "?"}, got {Actual ?? "nothing"}";
}

/// <summary>How the echoed filename may differ from what was sent and still be right.</summary>
public enum FilenameRule
{
    Exact,
    /// <summary>Exact, or the last path segment (a server stripping <c>C:\dir\</c> or <c>../</c>).</summary>
    ExactOrBasename,
    /// <summary>Exact wire form, or with WHATWG <c>%22</c>/<c>\"</c> escapes decoded.</summary>
    ExactOrDecoded,
}

/// <summary>What a case expects of the server.</summary>
public abstract record Expectation
{
    /// <summary>Answered with success and stored byte-for-byte what was sent, fields included.</summary>
    public sealed record Stored(FilenameRule Filename = FilenameRule.Exact, bool CheckContentType = true) : Expectation;

    /// <summary>Either stored exactly, or refused cleanly; refusing with a preferred status passes.</summary>
    public sealed record StoredOrRefused(IReadOnlyList<int> Preferred, FilenameRule Filename = FilenameRule.Exact, bool CheckContentType = true) : Expectation;

    /// <summary>Must refuse; a preferred status passes, another 4xx is non-strict. Accepting fails,
    /// unless <paramref name="AcceptingIsNonStrict"/> (lenient parsers are common and harmless there).
    /// With <paramref name="ClosingIsFine"/>, closing the connection without an answer passes too
    /// (when the client itself stopped sending, there may be nobody to answer).</summary>
    public sealed record Refused(IReadOnlyList<int> Preferred, string Why, bool AcceptingIsNonStrict = false, bool ClosingIsFine = false) : Expectation;

    /// <summary>The client aborted mid-stream; the server stays healthy and keeps nothing.</summary>
    public sealed record AbortedClean : Expectation;

    /// <summary>The client timed out mid-stream; the server stays healthy and keeps nothing.</summary>
    public sealed record TimedOutClean : Expectation;

    /// <summary>No right answer; what the server did is recorded. Only a 5xx, a hang or a crash fails.</summary>
    public sealed record Observed(string What) : Expectation;

    public static readonly Expectation StoredExactly = new Stored();
    public static readonly Expectation Aborted = new AbortedClean();
    public static readonly Expectation TimedOut = new TimedOutClean();
}
