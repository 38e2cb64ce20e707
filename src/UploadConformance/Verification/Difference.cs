using System.Globalization;
using System.Text.RegularExpressions;

namespace UploadConformance.Verification;

/// <summary>The kind of difference between what was sent and what a failed check found: what causes
/// group by (one bug reads as one line whatever the sizes), and the words a reason gives it.</summary>
public enum DifferenceKind
{
    /// <summary>The check did not fail, or fails in no way named here.</summary>
    None,
    /// <summary>Fewer bytes stored than sent.</summary>
    Truncated,
    /// <summary>More bytes stored than sent.</summary>
    Longer,
    /// <summary>As many bytes, or unknown, but other bytes: a different hash.</summary>
    OtherBytes,
    /// <summary>Raw UTF-8 read as Latin-1.</summary>
    Mojibake,
    /// <summary>Fewer files stored than sent.</summary>
    FilesDropped,
    /// <summary>A sent field not found in what was stored.</summary>
    FieldMissing,
    /// <summary>The answer has no value where the profile says it echoes one.</summary>
    Missing,
}

public static partial class Difference
{
    public static DifferenceKind Of(Check check)
    {
        if (check.Ok || !check.Checked) return DifferenceKind.None;
        var (expected, actual) = (check.Expected, check.Actual);
        if (actual is null or "nothing" or "none") return DifferenceKind.Missing;
        if (check.Name == "files" && Number(expected) is { } sentFiles && Number(actual) is { } storedFiles
            && storedFiles < sentFiles) return DifferenceKind.FilesDropped;
        if (check.Name.EndsWith(".size", StringComparison.Ordinal) && Number(expected) is { } sent
            && Number(actual) is { } stored)
            return stored < sent ? DifferenceKind.Truncated
                : stored > sent ? DifferenceKind.Longer : DifferenceKind.None;
        if (Sha256().IsMatch(expected ?? "") && Sha256().IsMatch(actual)) return DifferenceKind.OtherBytes;
        if (AnswerForensics.LooksLikeLatin1Mojibake(actual)) return DifferenceKind.Mojibake;
        if (check.Name.StartsWith("fields.", StringComparison.Ordinal)
            && actual.StartsWith("no such field", StringComparison.Ordinal)) return DifferenceKind.FieldMissing;
        return DifferenceKind.None;
    }

    /// <summary>The difference in words, such as "stored 1 byte short of what was sent (truncated)";
    /// null where it has no name.</summary>
    public static string? Describe(Check check) => Of(check) switch
    {
        DifferenceKind.Truncated => $"stored {Bytes(Number(check.Expected)!.Value - Number(check.Actual)!.Value)} "
            + "short of what was sent (truncated)",
        DifferenceKind.Longer => $"stored {Bytes(Number(check.Actual)!.Value - Number(check.Expected)!.Value)} more "
            + "than was sent",
        DifferenceKind.OtherBytes => "stored other bytes than were sent (garbled)",
        DifferenceKind.Mojibake => "raw UTF-8 read as Latin-1 (mojibake)",
        DifferenceKind.FilesDropped => $"{Number(check.Expected) - Number(check.Actual)} of "
            + $"{Number(check.Expected)} files silently dropped",
        DifferenceKind.FieldMissing => "a field silently dropped",
        _ => null,
    };

    private static string Bytes(long n) => n == 1 ? "1 byte" : $"{n.ToString(CultureInfo.InvariantCulture)} bytes";

    private static long? Number(string? text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256();
}
