namespace UploadConformance.Verification;

/// <summary>A verdict with its reason and evidence.</summary>
public sealed record Grade(Verdict Verdict, Severity? Severity, string Reason, IReadOnlyList<Check> Checks)
{
    public static Grade Fail(Severity severity, string reason, params Check[] checks) =>
        new(Verdict.Fail, severity, reason, checks);

    public static Grade Pass(params Check[] checks) => new(Verdict.Pass, null, "", checks);

    /// <summary>Pass when every check holds, else a failure named after the first that lost data, else
    /// non-strict when only harmless differences remain (see <see cref="Check.Harmless"/>).</summary>
    public static Grade From(IReadOnlyList<Check> checks, Severity severity) =>
        checks.FirstOrDefault(c => c.Differs) is { } failed
            ? new Grade(Verdict.Fail, severity, failed.ToString(), checks)
            : checks.FirstOrDefault(c => !c.Ok) is { } renamed
            ? new Grade(Verdict.NonStrict, null, $"stored everything, renamed: {renamed.Actual}", checks)
            : new Grade(Verdict.Pass, null, "", checks);

    /// <summary>The order of verdicts, pass → non-strict → fail; a lawful other reading (informational)
    /// ranks with a pass.</summary>
    public static int Rank(Verdict verdict) => verdict switch { Verdict.NonStrict => 1, Verdict.Fail => 2, _ => 0 };

    /// <summary>The worst of several labelled grades that did not pass (the first of equals), or null
    /// when every one passed.</summary>
    public static (string Label, Grade Grade)? Worst(IEnumerable<(string Label, Grade Grade)> grades)
    {
        (string Label, Grade Grade)? worst = null;
        foreach (var labelled in grades)
            if (labelled.Grade.Verdict != Verdict.Pass
                && (worst is null || Rank(labelled.Grade.Verdict) > Rank(worst.Value.Grade.Verdict)))
                worst = labelled;
        return worst;
    }
}
