using System.Globalization;
using System.Text.Json;
using UploadConformance.Targets;
using UploadConformance.Wire;

namespace UploadConformance.Verification;

/// <summary>What an extra check looks at: the outcome, and the profile that says where the answer echoes
/// what.</summary>
public sealed record ExtraCheckContext(UploadOutcome Outcome, TargetProfile Profile);

/// <summary>The extra checks cases carry beside their expectation.</summary>
public static class ExtraChecks
{
    /// <summary>A JSON answer labelled as JSON with a UTF-8 (or no) charset: wx hands <c>res.data</c> over
    /// as a string, and clients that trust the label parse by it.</summary>
    public static readonly ExtraCheck JsonContentType =
        new("content type", "the answer is labelled application/json (UTF-8 or no charset)",
        c =>
        {
            var type = c.Outcome.ResponseContentType ?? "";
            var json = type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
                || type.Contains("+json", StringComparison.OrdinalIgnoreCase);
            var utf8 = !type.Contains("charset", StringComparison.OrdinalIgnoreCase)
                || type.Contains("utf-8", StringComparison.OrdinalIgnoreCase);
            return new Check("content type", json && utf8, "application/json; charset=utf-8", type.Length == 0
                ? "none" : type);
        },
        Verdict.NonStrict, check =>
        $"a JSON answer labelled '{check.Actual}': clients that trust the label will not parse it");

    /// <summary>An announced body refused before the server asked for it.</summary>
    public static readonly ExtraCheck NoContinueBeforeRefusal =
        new("no 100 Continue", "no 100 Continue before the refusal",
        c => new Check("no 100 Continue", !c.Outcome.SawContinue, "the refusal without a 100 Continue first",
            c.Outcome.SawContinue ? "100 Continue, then the refusal" : "no 100"),
        Verdict.NonStrict, _ => "sent 100 Continue before refusing, inviting the whole body");

    public static readonly ExtraCheck BodyNotSent = new("body not sent", "the body never sent",
        c => new Check("body not sent", c.Outcome.BytesSent == 0, "0 body bytes sent",
        c.Outcome.BytesSent.ToString(CultureInfo.InvariantCulture)),
        Verdict.NonStrict, check => check.ToString());

    /// <summary>The client's path (<c>../</c>, <c>C:\Users\…</c>) never becomes where the file is kept:
    /// the echoed URL (or stored name) must not carry it. A server that stores under the client's path
    /// writes where the client says: a security hole.</summary>
    public static readonly ExtraCheck ClientPathNotUsed =
        new("client path not used", "the client's path never becomes where the file is kept",
        c =>
        {
            var url = EchoedUrl(c.Outcome, c.Profile);
            if (url is null) return Check.Skipped("client path not used",
                "the answer gives no url or stored name to look at");
            var decoded = Uri.UnescapeDataString(url).Replace('\\', '/');
            var traverses = decoded.Contains("../", StringComparison.Ordinal)
                || decoded.Contains("/etc/passwd", StringComparison.Ordinal)
                || decoded.Contains("Users/me/", StringComparison.OrdinalIgnoreCase);
            return new Check("client path not used", !traverses, "a storage name of the server's own", url);
        },
        Verdict.Fail, check => $"the client's path was used for storage: {check.Actual}");

    private static string? EchoedUrl(Wire.UploadOutcome outcome, TargetProfile profile)
    {
        if (profile.Echo.Url is not { } urlPath) return null;
        try
        {
            using var document = JsonDocument.Parse(outcome.Data ?? "");
            var root = document.RootElement;
            var entry = profile.Echo.Files is { } files
                && JsonPath.Select(root, files) is { ValueKind: JsonValueKind.Array } array
                && array.GetArrayLength() > 0
                ? array[0]
                : profile.Echo.File is { } file ? JsonPath.Select(root, file) : null;
            return entry is { } e ? JsonPath.Text(e, urlPath) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
