namespace UploadConformance.Verification;

/// <summary>Autobahn-style grading: <see cref="NonStrict"/> is acceptable but not ideal (400 where
/// 413 is right); <see cref="Fail"/> is wrong data, a 5xx, a hang or a crash.</summary>
public enum Verdict { Pass, NonStrict, Fail, Informational }

/// <summary>One thing that was compared, with both sides, so a verdict carries its evidence.</summary>
public sealed record Check(string Name, bool Ok, string? Expected = null, string? Actual = null, bool Checked = true)
{
    public static Check Skipped(string name, string why) => new(name, true, null, why, Checked: false);

    public override string ToString() =>
        !Checked ? $"{Name}: not checked ({Actual})"
        : Ok ? $"{Name}: ok"
        : $"{Name}: expected {Expected ?? "?"}, got {Actual ?? "nothing"}";
}

/// <summary>What the case expects the client to see.</summary>
public enum Expectation
{
    /// <summary>Answered 2xx and stored byte-for-byte what was sent, fields included.</summary>
    Stored,
    /// <summary>The client aborted mid-stream; the server stays healthy and keeps nothing.</summary>
    AbortedClean,
    /// <summary>The client timed out mid-stream; the server stays healthy and keeps nothing.</summary>
    TimedOutClean,
}
