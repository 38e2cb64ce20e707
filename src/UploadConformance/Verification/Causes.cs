using System.Text.RegularExpressions;
using UploadConformance.Text;

namespace UploadConformance.Verification;

/// <summary>Non-passing cases that failed the same way, read as one problem: the same verdict, the same
/// status, the same answer once ids, sizes and names are masked, and the same failed check. Twenty
/// field-name cases refused with the same 500 page are one cause with twenty cases, not twenty
/// problems. Where the pattern is well known, the cause carries a hint at its usual fix.</summary>
public sealed record Cause(int Id, Verdict Verdict, string Signature, IReadOnlyList<string> Cases, string Example,
    string? Hint);

public static partial class Causes
{
    /// <summary>Groups the non-passing results (fail and non-strict), most cases first, and returns the
    /// results with their cause ids set.</summary>
    public static (IReadOnlyList<Cause> Causes,
        IReadOnlyList<CaseResult> Results) Group(IReadOnlyList<CaseResult> results)
    {
        var groups = results.Where(r => r.Verdict is Verdict.Fail or Verdict.NonStrict)
            .GroupBy(Signature)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.First().Verdict == Verdict.Fail ? 0 : 1).ThenBy(g =>
                g.Key, StringComparer.Ordinal)
            .ToList();
        var causes = new List<Cause>();
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var group in groups)
        {
            var first = group.First();
            var id = causes.Count + 1;
            ids[group.Key] = id;
            var example = first.Reason
                + (first.Outcome.BodyExcerpt is { Length: > 0 } body ? $" — answer: {CaseRunner.Excerpt(body, 200)}"
                : "");
            causes.Add(
                new Cause(id, first.Verdict, group.Key, group.Select(r => r.Id).ToList(), example,
                Hint(first, group.Count(), results.Count)));
        }
        var numbered =
            results.Select(r => ids.TryGetValue(Signature(r), out var id) && r.Verdict is Verdict.Fail
            or Verdict.NonStrict
            ? r with { Cause = id } : r).ToList();
        return (causes, numbered);
    }

    /// <summary>What makes two failures the same: verdict, status (or how the exchange ended), the failed
    /// check's name with indices and names masked, and the answer with ids, sizes and names masked.</summary>
    public static string Signature(CaseResult r)
    {
        var failed = r.Checks.FirstOrDefault(c => !c.Ok)?.Name ?? "";
        failed = Index().Replace(failed, "[i]");
        failed = FieldName().Replace(failed, "fields.*");
        failed = Label().Replace(failed, "");
        var ending = r.Outcome.Status?.ToString(System.Globalization.CultureInfo.InvariantCulture)
            ?? r.Outcome.Failure.ToString().ToLowerInvariant();
        return $"{VerdictWord(r.Verdict)} · {ending} · {failed} · {Mask(r.Outcome.BodyExcerpt, r)}";
    }

    private static string VerdictWord(Verdict v) => v == Verdict.Fail ? "fail" : "non-strict";

    /// <summary>The answer with what differs from case to case taken out: the names the case sent,
    /// hex ids and numbers.</summary>
    private static string Mask(string? body, CaseResult r)
    {
        if (string.IsNullOrEmpty(body)) return "";
        var text = body.Length > 300 ? body[..300] : body;
        // Names only where an answer quotes them ("no file under field 'images'"); bare words stay.
        foreach (var name in r.Request.Files.Select(f => f.FileName).Append(r.Request.Field).Where(n =>
            n.Length > 0).OrderByDescending(n => n.Length))
            foreach (var (open, close) in Quotes)
                text = text.Replace(open + name + close, open + "*" + close, StringComparison.Ordinal);
        text = Hex().Replace(text, "#");
        text = Digits().Replace(text, "#");
        // Names a server garbled or echoed differ from case to case; what surrounds them does not.
        text = NonAscii().Replace(text, "…");
        return UntrustedText.ForTerminal(text);
    }

    private static readonly (string Open, string Close)[] Quotes =
        [("'", "'"), ("\"", "\""), ("&quot;", "&quot;"), ("`", "`"), ("&#39;", "&#39;")];

    /// <summary>The usual fixes for well-known patterns, or null.</summary>
    private static string? Hint(CaseResult r, int cases, int total)
    {
        var hints = Hints(r, cases, total).Where(h => h is not null).Distinct().ToList();
        return hints.Count == 0 ? null : string.Join("; also: ", hints);
    }

    private static IEnumerable<string?> Hints(CaseResult r, int cases, int total)
    {
        var body = r.Outcome.BodyExcerpt ?? "";
        if (r.Outcome.Status == 500 && body.Contains("Unexpected field", StringComparison.Ordinal)
            || body.Contains("Unexpected file field", StringComparison.Ordinal))
            yield return "multer's 'Unexpected field': the file came under a field upload.single()/fields() does "
                + "not name; answer a MulterError "
                + "with a 400, or declare the field in the profile";
        if (r.Reason.Contains("leaks a stack trace", StringComparison.Ordinal))
            yield return "error pages show the server's stack: run in production mode (NODE_ENV=production, "
                + "display_errors=Off, debug off)";
        yield return Known(r, cases, total);
    }

    private static string? Known(CaseResult r, int cases, int total)
    {
        var body = r.Outcome.BodyExcerpt ?? "";
        var html = body.Contains("<html", StringComparison.OrdinalIgnoreCase)
            || (r.Outcome.ContentType ?? "").Contains("html", StringComparison.OrdinalIgnoreCase);
        var failed = r.Checks.FirstOrDefault(c => !c.Ok);
        return r.Outcome.Status switch
        {
            403 when cases * 2 >= total || cases >= 5 =>
                "nearly every upload refused with 403 is almost always a CSRF or Referer guard: mini-programs send "
                + "a fixed "
                + "Referer https://servicewechat.com/<appid>/<version>/page-frame.html, no cookies and no CSRF token",
            401 => "the endpoint wants credentials: put them in the profile's headers (Authorization: Bearer ${TOKEN})",
            413 when html =>
            "an HTML 413 comes from a body limit in front of the app (nginx's client_max_body_size, a load balancer): "
                + "raise it, or declare it as limits.maxRequestBytes",
            _ when failed is not null
            && (failed.Name.EndsWith(".filename", StringComparison.Ordinal)
            || failed.Name.StartsWith("fields", StringComparison.Ordinal))
                   && AnswerForensics.LooksLikeLatin1Mojibake(failed.Actual) =>
                "raw UTF-8 names read as Latin-1: busboy's defParamCharset defaults to latin1; set it to 'utf8'",
            >= 500 when !r.Reason.Contains("leaks a stack trace", StringComparison.Ordinal) =>
                "a 5xx for input the server could refuse: catch the parser's error and answer a 4xx",
            _ when r.Outcome.Failure == Wire.FailureKind.Timeout =>
            "the server never answered: a parser waiting forever on a body that will not come",
            _ => null,
        };
    }

    [GeneratedRegex(@"\[\d+\]")]
    private static partial Regex Index();

    [GeneratedRegex(@"^fields\..+$")]
    private static partial Regex FieldName();

    [GeneratedRegex(@"^(?:upload\[i\]|first|retry|content-length|chunked)\.")]
    private static partial Regex Label();

    [GeneratedRegex(@"\b[0-9a-fA-F]{8,}\b")]
    private static partial Regex Hex();

    [GeneratedRegex(@"\d+")]
    private static partial Regex Digits();

    [GeneratedRegex(@"[^\x00-\x7F]+")]
    private static partial Regex NonAscii();
}
