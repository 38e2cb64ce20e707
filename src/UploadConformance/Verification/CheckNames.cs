using System.Text.RegularExpressions;

namespace UploadConformance.Verification;

/// <summary>Every name a check is written under, with what it compares: the reference
/// docs/results-schema.md shows, and the test holds real results to.</summary>
public static class CheckNames
{
    public static readonly IReadOnlyList<(string Pattern, string Meaning)> All =
    [
        ("answered", "an HTTP answer came at all"),
        ("closed", "the server closed the connection, which the case allows"),
        ("status", "the status against what the expectation wants"),
        ("answer", "a success status whose answer the profile's success rule can read"),
        ("error is JSON", "a refusal's body is JSON"),
        ("no stack trace", "the answer shows none of the server's stack"),
        ("$.<path>", "one of the profile's success conditions (`$.code == 0`)"),
        ("echo", "the answer is JSON, so what it echoes can be read"),
        ("files", "files echoed against files sent"),
        ("file.size", "each file's echoed size (`file[i].` when there are several)"),
        ("file.sha256", "its echoed SHA-256"),
        ("file.field", "its echoed field name"),
        ("file.filename", "its echoed filename, as sent on the wire"),
        ("file.contentType", "its echoed Content-Type"),
        ("file.fetched", "SHA-256 of the bytes fetched back from the echoed URL or the profile's fetch template"),
        ("fields", "every text field echoed under its name (or decoded path) with its value"),
        ("fields[i]", "a field echoed out of order or changed (`{name, value}` echoes)"),
        ("fields.<name>", "a field missing, renamed or changed (object echoes)"),
        ("errMsg", "abort and timeout cases: the wx outcome"),
        ("mid-stream", "abort and timeout cases: the stop came mid-body"),
        ("partial upload discarded", "from /stats: the server counted the discard"),
        ("no upload left in flight", "from /stats: nothing still receiving"),
        ("no partial file left on disk", "from /stats: no new partial file"),
        ("nothing stored", "from /stats: no file stored"),
        ("nothing kept", "the target publishes no /stats, so keeping nothing cannot be checked"),
        ("alive afterwards", "`/health` still answers after the case"),
        ("content type", "extra check: a JSON answer labelled application/json, UTF-8 or no charset"),
        ("no 100 Continue", "extra check: a refusal without a 100 Continue first"),
        ("body not sent", "extra check: the announced body never had to be sent"),
        ("client path not used", "extra check: the client's path is not where the file was kept"),
    ];

    private static readonly Regex[] Patterns = All.Select(p => new Regex("^" + Regex.Escape(p.Pattern)
        .Replace(@"\[i]", @"\[\d+]", StringComparison.Ordinal)
        .Replace("<path>", ".+", StringComparison.Ordinal)
        .Replace("<name>", ".+", StringComparison.Ordinal) + "$")).ToArray();

    private static readonly Regex Labels = new(@"^(?:content-length|chunked|upload\[\d+]|first|retry)\.");

    private static readonly Regex FileIndex = new(@"^file\[\d+]\.");

    /// <summary>Whether <paramref name="name"/> is one of <see cref="All"/>, with a compound case's label or a file
    /// index.</summary>
    public static bool IsKnown(string name)
    {
        var bare = FileIndex.Replace(Labels.Replace(name, ""), "file.");
        return Patterns.Any(p => p.IsMatch(bare));
    }
}
