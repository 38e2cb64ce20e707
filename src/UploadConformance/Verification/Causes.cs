using System.ComponentModel;
using System.Text.RegularExpressions;
using UploadConformance.Text;

namespace UploadConformance.Verification;

/// <summary>Non-passing cases that failed the same way, read as one problem (see
/// <see cref="Causes.Signature"/>): every file stored one byte short is one cause with sixty cases,
/// not sixty problems. Where the pattern is well known, the cause carries a hint at its usual fix.</summary>
[Description("Non-passes that failed the same way: the same verdict and the same kind of failure (a leaked stack, a "
    + "stored difference of one kind, kept data, or the same rule, status and hint).")]
public sealed record Cause(
    [property: Description("Its number, most cases first.")]
    int Id,
    [property: Description("`fail` or `non-strict`.")]
    Verdict Verdict,
    [property: Description("What its cases share, sizes, names and numbers masked.")]
    string Signature,
    [property: Description("The ids of its cases.")]
    IReadOnlyList<string> Cases,
    [property: Description("The first case's reason and answer.")]
    string Example,
    [property: Description("The usual fix, for a well-known pattern; null otherwise.")]
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
            var example = first.Reason + AnswerUnlessQuoted(first);
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

    /// <summary>What makes two failures the same: what the failure is, not where it showed. A leaked
    /// stack trace is one bug whatever the status; a server that died is one; a stored difference is
    /// the failed check (indices, labels and field names masked) with the kind of difference (truncated,
    /// other bytes, mojibake, dropped), whatever the sizes; kept data is one however the request ended;
    /// anything else is the status where the status is what failed, the failed check, the rule that
    /// gave the verdict and the usual fix.</summary>
    public static string Signature(CaseResult r)
    {
        var verdict = VerdictWord(r.Verdict);
        if (r.Checks.FirstOrDefault(c => c is { Name: "no stack trace", Ok: false }) is { } stack)
            return $"{verdict} · leaks a stack trace · {stack.Actual?.Split(':')[0]}";
        if (r.Crash is not null) return $"{verdict} · the server died";
        var failed = r.Checks.FirstOrDefault(c => !c.Ok);
        var check = failed is null ? "" : MaskCheck(failed.Name);
        // Data kept after a refusal, an abort or a timeout is one leak however the request ended.
        if (failed is not null && KeptData.Contains(failed.Name)) return $"{verdict} · kept data · {check}";
        if (failed is not null && Difference.Of(failed) is not DifferenceKind.None and var kind)
            return $"{verdict} · {check} · {kind}";
        // The status is the failure only where the status is what failed (or nothing more precise did):
        // HTML refusals are one bug whether they say 400 or 415.
        var ending = failed is not null && check != "status" ? ""
            : r.Outcome.Status?.ToString(System.Globalization.CultureInfo.InvariantCulture)
              ?? r.Outcome.Failure.ToString().ToLowerInvariant();
        // The rule that gave the verdict (the reason up to its evidence) and the usual fix, not the
        // answer's words: a parser's messages differ from body to body while the bug is one. (The hint
        // as for a cause of every case: one that depends on how many cases share it must not split them.)
        return $"{verdict} · {ending} · {check} · {ReasonHead(r.Reason)} · {Hint(r, cases: 1, total: 1)}";
    }

    private static readonly string[] KeptData =
        ["no partial file left on disk", "nothing stored", "no upload left in flight"];

    /// <summary>"refused with 400 where 413 is right: {…}" is "refused with # where # is right".</summary>
    private static string ReasonHead(string reason)
    {
        // A compound case's reason starts with the exchange it is about ("upload[3]: ", "first: ").
        var head = ReasonLabel().Replace(reason, "").Split(": ", 2)[0];
        // "(if it has a file size limit, declare limits.maxFileBytes)" advises; it is not the failure.
        head = Parenthesised().Replace(MaskCheck(head), "");
        head = Quoted().Replace(head, "'*'");
        return Digits().Replace(head, "#");
    }

    /// <summary>A check's name as every case has it: <c>upload[3].file[1].size</c> is <c>file.size</c>.</summary>
    private static string MaskCheck(string name)
    {
        name = Index().Replace(name, "[i]");
        name = Label().Replace(name, "");
        name = name.Replace("file[i].", "file.", StringComparison.Ordinal);
        return FieldName().Replace(name, "fields.*");
    }

    /// <summary>" — answer: …" for the example, unless the reason already quotes the answer.</summary>
    private static string AnswerUnlessQuoted(CaseResult r)
    {
        if (r.Outcome.BodyExcerpt is not { Length: > 0 } body) return "";
        var opening = UntrustedText.Excerpt(body, 24).TrimEnd('…');
        return r.Reason.Contains(opening, StringComparison.Ordinal) ? ""
            : $" — answer: {UntrustedText.Excerpt(body, 200)}";
    }

    private static string VerdictWord(Verdict v) => v == Verdict.Fail ? "fail" : "non-strict";

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
        // A store's code says more than its status would (a 403 there is no Referer guard).
        if (StoreHint(body) is { } store)
        {
            yield return store;
            yield break;
        }
        if (r.Reason.Contains("leaks a stack trace", StringComparison.Ordinal))
            yield return "error pages show the server's stack: run in production mode (NODE_ENV=production, "
                + "display_errors=Off, debug off)";
        yield return Known(r, cases, total);
    }

    /// <summary>An object store's own error code names the cause: the usual fix for each.</summary>
    private static string? StoreHint(string body) => Targets.ObjectStorage.Refusal(body)?.Code switch
    {
        "SignatureDoesNotMatch" => "the store computed another signature: the backend signs with another secret, "
            + "region or day than the form says, or signs the policy before it is base64-encoded (S3 and OSS sign "
            + "the base64 text; COS signs the SHA-1 of the JSON)",
        "AccessDenied" when body.Contains("Extra input fields", StringComparison.Ordinal) =>
            "S3 refuses every form field its policy does not name: add a condition for each field the app sends "
            + "(x-amz-meta-*, success_action_status), or prefix app-only fields with x-ignore-",
        "AccessDenied" when body.Contains("Policy expired", StringComparison.Ordinal) =>
            "the policy expired before the upload: sign it when the app asks, with time for a slow link",
        "AccessDenied" => "the form breaks its own policy: a condition (the key's prefix, the bucket, an eq field) "
            + "does not match what the app sends",
        "EntityTooLarge" => "over the policy's content-length-range: raise it where the backend signs the policy, "
            + "or tell the app the limit before it uploads",
        "InvalidPolicyDocument" => "the policy is not what the store reads: base64 of JSON with an expiration and "
            + "a list of conditions",
        "InvalidAccessKeyId" => "the access key id in the form is not the bucket's",
        _ => null,
    };

    private static string? Known(CaseResult r, int cases, int total)
    {
        var body = r.Outcome.BodyExcerpt ?? "";
        var html = body.Contains("<html", StringComparison.OrdinalIgnoreCase)
            || (r.Outcome.ContentType ?? "").Contains("html", StringComparison.OrdinalIgnoreCase);
        var plain = (r.Outcome.ContentType ?? "").StartsWith("text/plain", StringComparison.OrdinalIgnoreCase);
        var failed = r.Checks.FirstOrDefault(c => !c.Ok);
        if (r.Reason.Contains("business error inside a", StringComparison.Ordinal))
            return AnswerForensics.OwnMessage(body) is { } said
                ? $"the answer says why itself: \"{UntrustedText.ForTerminal(said)}\" (a refusal inside a success "
                  + "status, which a client checking only the status takes for a stored file)"
                : null;
        if (r.Outcome.Status == 413 && (html || plain) && r.Reason.StartsWith(Grader.RefusedOrdinary,
            StringComparison.Ordinal))
            return "an HTML or plain-text 413 for a body under the declared limit comes from a body limit in front "
                + "of the app or in its framework: nginx's client_max_body_size (1m by default), aiohttp's "
                + "client_max_size (1 MiB), Kestrel's MaxRequestBodySize (30,000,000 bytes), PHP's "
                + "upload_max_filesize (2M) and post_max_size (8M): raise it to what the profile declares";
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

    [GeneratedRegex(@"^(?:upload\[\d+\]|first|retry|content-length|chunked): ")]
    private static partial Regex ReasonLabel();

    [GeneratedRegex(@"\d+")]
    private static partial Regex Digits();

    [GeneratedRegex(@"'[^']*'|""[^""]*""")]
    private static partial Regex Quoted();

    [GeneratedRegex(@"\s*\([^)]*\)")]
    private static partial Regex Parenthesised();
}
