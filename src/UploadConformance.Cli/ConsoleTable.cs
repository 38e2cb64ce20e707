using UploadConformance.Verification;

namespace UploadConformance.Cli;

/// <summary>One aligned line per case as it finishes, so a long run shows progress and the lines
/// together form the summary table.</summary>
public static class ConsoleTable
{
    public static string Header(int idWidth) =>
        $"  {"verdict",-8} {"case".PadRight(idWidth)} {"status",6} {"client saw",-28} {"ms",8}";

    public static string Row(CaseResult c, int idWidth)
    {
        var verdict = c.Verdict switch
        {
            Verdict.Pass => "PASS",
            Verdict.NonStrict => "NONSTRCT",
            Verdict.Fail => "FAIL",
            _ => "INFO",
        };
        var line = $"  {verdict,-8} {c.Id.PadRight(idWidth)} {c.Outcome.Status?.ToString() ?? "-",6} {c.Outcome.ErrMsg,-28} {c.Outcome.ElapsedMs,8:0}";
        return c.Reason.Length == 0 ? line : $"{line}\n  {"",-8} └ {c.Reason}";
    }
}
