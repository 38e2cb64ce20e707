using System.Text.RegularExpressions;

using UploadConformance.Text;

namespace UploadConformance.Verification;

/// <summary>What an answer's text gives away: a stack trace (a refusal should not show the server's
/// insides to whoever sent the request), and text that reads like UTF-8 decoded as Latin-1.</summary>
public static partial class AnswerForensics
{
    private static readonly (string Stack, Regex Pattern)[] StackTraces =
    [
        ("Node.js", NodeFrame()),
        (".NET", DotnetFrame()),
        ("Java", JavaFrame()),
        ("Python", PythonTraceback()),
        ("PHP", PhpTrace()),
        ("Go", GoPanic()),
    ];

    /// <summary>The stack and one frame of a stack trace in <paramref name="answer"/>, or null.</summary>
    public static string? StackTrace(string? answer)
    {
        if (string.IsNullOrEmpty(answer)) return null;
        var text = answer.Replace("&nbsp;", " ", StringComparison.Ordinal).Replace("&lt;", "<",
            StringComparison.Ordinal).Replace("&gt;", ">", StringComparison.Ordinal);
        foreach (var (stack, pattern) in StackTraces)
        {
            var match = pattern.Match(text);
            if (match.Success) return $"{stack}: {UntrustedText.Excerpt(match.Value.Trim(), 100)}";
        }
        return null;
    }

    /// <summary>What a JSON answer says about itself, in the fields backends use for it (msg, message,
    /// errmsg, error): "upload failed"; null when it says nothing there.</summary>
    public static string? OwnMessage(string? answer)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(answer ?? "");
            if (document.RootElement.ValueKind != System.Text.Json.JsonValueKind.Object) return null;
            foreach (var key in new[] { "msg", "message", "errmsg", "errMsg", "error", "error_description" })
                if (document.RootElement.TryGetProperty(key, out var value)
                    && value.ValueKind == System.Text.Json.JsonValueKind.String
                    && value.GetString() is { Length: > 0 } m)
                    return m;
            return null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>Raw UTF-8 read as Latin-1 (busboy's default for names): "æŠ¥å‘Š" for "报告".</summary>
    public static bool LooksLikeLatin1Mojibake(string? text) => text is not null && Mojibake().IsMatch(text);

    [GeneratedRegex(@"\bat [\w$.<>\[\]]+(?: \[as \w+\])? \((?:[A-Za-z]:)?[/\\][^()\s]*\.(?:c|m)?(?:js|ts):\d+:\d+\)")]
    private static partial Regex NodeFrame();

    [GeneratedRegex(@"\bat [\w.`<>]+\.\w+\([^)]*\)(?: in [^\s]+:line \d+)?(?:\r?\n|(?:\\r)?\\n)\s+at ")]
    private static partial Regex DotnetFrame();

    [GeneratedRegex(@"\bat [\w$]+(?:\.[\w$<>]+)+\((?:[\w$]+\.java:\d+|Native Method|Unknown Source)\)")]
    private static partial Regex JavaFrame();

    [GeneratedRegex(@"Traceback \(most recent call last\):|File ""[^""]+\.py"", line \d+")]
    private static partial Regex PythonTraceback();

    [GeneratedRegex(@"Stack trace:\s*(?:<br\s*/?>)?\s*#0 |#\d+ (?:[/\\][^\s]+)?\.php\(\d+\): |\.php on line \d+")]
    private static partial Regex PhpTrace();

    [GeneratedRegex(@"goroutine \d+ \[running\]:")]
    private static partial Regex GoPanic();

    [GeneratedRegex(@"[\u00C2-\u00F4][\u0080-\u00BF]")]
    private static partial Regex Mojibake();
}
