using System.ComponentModel;
namespace UploadConformance.Verification;

/// <summary>Autobahn-style grading, one rule for the whole catalog (suites/README.md):
/// <see cref="Fail"/> is what was stored differing from what was sent, a 5xx, a crash, a hang past the
/// bound or a security hole; <see cref="NonStrict"/> is a safe but imperfect answer; <see cref="Informational"/>
/// is a lawful reading with no single right answer.</summary>
public enum Verdict { Pass, NonStrict, Fail, Informational }

/// <summary>How bad a failure is: a 500 on bad input is common in healthy stacks (soft); wrong stored
/// data, a hang, a crash or a security hole is not (hard).</summary>
public enum Severity { Soft, Hard }

/// <summary>Whether a case's request is one a correct client may send. A malformed request may be
/// refused by closing the connection; a well-formed one deserves an answer.</summary>
public enum RequestForm { WellFormed, Malformed }

/// <summary>One thing that was compared, with both sides, so a verdict carries its evidence.</summary>
[Description("One comparison.")]
public sealed record Check(
    [property: Description("What was compared (see Check names).")]
    string Name,
    [property: Description("Whether it held; a check that could not be made counts as ok.")]
    bool Ok,
    [property: Description("What was wanted.")]
    string? Expected = null,
    [property: Description("What was found, or why it could not be checked.")]
    string? Actual = null,
    [property: Description("False when the target offers no way to check (no /stats, no URL to fetch back).")]
    bool Checked = true)
{
    /// <summary>A difference that loses nothing: everything sent is there, under a name the stack's
    /// documented rule gives it (PHP's <c>a.b</c> → <c>a_b</c>). It lowers a verdict to non-strict, never
    /// to a fail; a second field renamed onto the same name is lost, and that fails as a missing field.</summary>
    [System.Text.Json.Serialization.JsonIgnore(
        Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    [Description("Present and true on a check that did not hold but lost nothing (a field renamed by the stack's "
        + "documented rule): it makes the verdict non-strict, never a fail.")]
    public bool Harmless { get; init; }

    /// <summary>Stored differently from what was sent, in a way that loses data.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Differs => !Ok && !Harmless;

    public static Check Skipped(string name, string why) => new(name, true, null, why, Checked: false);

    public override string ToString() =>
        !Checked ? $"{Name}: not checked ({Actual})"
        : Ok ? $"{Name}: ok"
        : $"{Name}: expected {Expected ?? "?"}, got {Actual ?? "nothing"}"
            + (Difference.Describe(this) is { } named ? $" — {named}" : "");
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

/// <summary>What taking a request the case expects refused means.</summary>
public enum OnAccept
{
    /// <summary>A lenient reading: non-strict if what was stored is exactly what was sent, else a fail.</summary>
    NonStrictIfExact,
    /// <summary>A fail however it was stored (a body that may have been cut anywhere, a limit ignored).</summary>
    Fail,
}

/// <summary>What a case expects of the server; <see cref="Sentence"/> is the case's expectation as
/// reports show it (Autobahn|Testsuite's EXPECTATION).</summary>
public abstract record Expectation
{
    public abstract string Sentence { get; }

    /// <summary>Answered with success and stored byte-for-byte what was sent, fields included. An
    /// <paramref name="Ordinary"/> upload (what a real client sends as it is: a photo, a platform's
    /// request, formData) within every declared limit must be stored: refusing it fails, because the
    /// endpoint's users cannot upload. Refusing an edge request is non-strict. Either way the reason says
    /// which limit to declare if the endpoint's own limit is why.</summary>
    public sealed record Stored(FilenameRule Filename = FilenameRule.Exact, bool CheckContentType = true,
        bool Ordinary = false) : Expectation
    {
        public override string Sentence => Ordinary
            ? "an ordinary upload within the declared limits, stored exactly: a success answer, and every byte, "
              + "filename and field as sent; refusing it fails (the endpoint's users cannot upload)"
            : "stored exactly: a success answer, and every byte, filename and field as sent; a refusal is non-strict";
    }

    /// <summary>Either stored exactly, or refused cleanly; refusing with a preferred status passes. A
    /// <paramref name="Lawful"/> other reading of the request, stored exactly, is informational.</summary>
    public sealed record StoredOrRefused(IReadOnlyList<int> Preferred, FilenameRule Filename = FilenameRule.Exact,
        bool CheckContentType = true,
        LawfulReading? Lawful = null) : Expectation
    {
        public override string Sentence =>
            $"stored exactly, or refused with {Or(Preferred)} (another 4xx is non-strict)"
            + (Lawful is null ? "" : $"; a server that {Lawful.Reading} is informational");
    }

    /// <summary>Must refuse; a preferred status passes, another 4xx or a non-JSON refusal is non-strict.
    /// What accepting means is <paramref name="Accepting"/>. With <paramref name="ClosingIsFine"/>,
    /// closing the connection without an answer passes too (when the client itself stopped sending,
    /// there may be nobody to answer).</summary>
    public sealed record Refused(IReadOnlyList<int> Preferred, string Why,
        OnAccept Accepting = OnAccept.NonStrictIfExact, bool ClosingIsFine = false)
        : Expectation
    {
        public override string Sentence =>
            $"refused ({Why}) with {Or(Preferred)}; another 4xx or a non-JSON refusal is non-strict; "
            + (Accepting == OnAccept.Fail ? "accepting it fails"
                : "a lenient reading that stores exactly what was sent is non-strict")
            + (ClosingIsFine ? "; closing the connection is fine too" : "");
    }

    /// <summary>The request goes over a limit the profile declares (<paramref name="Limit"/>, such as
    /// <c>limits.maxFileBytes</c>): a limit refusal passes, accepting fails. Derived by the runner from
    /// the case's request and the profile, for every case, not written by suites.</summary>
    public sealed record OverLimit(IReadOnlyList<int> Preferred, string Limit, string What) : Expectation
    {
        public override string Sentence => $"over the declared {Limit} ({What}): refused with {Or(Preferred)}; "
            + "another 4xx or a non-JSON refusal is non-strict; accepting it fails";
    }

    /// <summary>The client aborted mid-stream; the server stays healthy and keeps nothing.</summary>
    public sealed record AbortedClean : Expectation
    {
        public override string Sentence =>
            "the client aborts mid-stream: the server stays healthy and keeps nothing of it";
    }

    /// <summary>The client timed out mid-stream; the server stays healthy and keeps nothing.</summary>
    public sealed record TimedOutClean : Expectation
    {
        public override string Sentence =>
            "the client times out mid-stream: the server stays healthy and keeps nothing of it";
    }

    /// <summary>No right answer; what the server did is recorded. Only a 5xx, a hang or a crash fails.</summary>
    public sealed record Observed(string What) : Expectation
    {
        public override string Sentence =>
            $"recorded, no single right answer ({What}); only a 5xx, a hang, a crash or a security hole fails";
    }

    public static readonly Expectation StoredExactly = new Stored();
    /// <summary>What a real client sends as it is: refusing it within the declared limits fails.</summary>
    public static readonly Expectation OrdinaryUpload = new Stored(Ordinary: true);
    public static readonly Expectation Aborted = new AbortedClean();
    public static readonly Expectation TimedOut = new TimedOutClean();

    protected static string Or(IReadOnlyList<int> statuses) => string.Join(" or ", statuses);
}

/// <summary>Another reading of a request that the standards allow, and what storing it that way looks like.</summary>
public sealed record LawfulReading(string Reading, IPlannedFiles Files);

/// <summary>A check beside a case's expectation that can only make its verdict worse: a JSON answer
/// labelled as something else (non-strict), a 100 Continue before a refusal (non-strict), the client's
/// path used on disk (fail). Part of the case's data, so no case re-grades by hand.</summary>
public sealed record ExtraCheck(string Name, string Describes, Func<ExtraCheckContext, Check> Evaluate, Verdict IfNot,
    Func<Check, string> Reason)
{
    /// <summary>Applied to a verdict: a failed check lowers a pass to <see cref="IfNot"/>; one that fails
    /// (a security hole) makes any verdict a fail and leads its reason.</summary>
    public bool Lowers(Verdict verdict) => IfNot switch
    {
        Verdict.Fail => true,
        _ => verdict == Verdict.Pass,
    };
}
