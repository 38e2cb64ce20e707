using System.Globalization;

namespace UploadConformance.Payloads;

/// <summary>Sizes as people write them, each unit meaning what it says: <c>kB MB GB</c> are powers of
/// 1000 (SI), <c>KiB MiB GiB</c> powers of 1024 (IEC). A bare <c>k</c>, <c>m</c> or <c>g</c> says
/// neither, so it is refused rather than guessed.</summary>
public static class ByteSize
{
    public const string Examples = "1500, 200KiB, 5MiB, 10MB or 1GiB";

    public static string Format(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.##} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.##} MiB",
        >= 1L << 10 => $"{bytes / 1024.0:0.##} KiB",
        _ => $"{bytes} B",
    };

    public static bool TryParse(string text, out long bytes) => TryParse(text, out bytes, out _);

    /// <summary>Parses "1500", "200KiB", "10MB", "10 MB", "1.5GiB".</summary>
    /// <param name="problem">Why the text is not a size, for a one-line error.</param>
    public static bool TryParse(string text, out long bytes, out string? problem)
    {
        bytes = 0;
        problem = null;
        var s = text.Trim();
        var i = 0;
        while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
        if (i == 0
            || !double.TryParse(s[..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            problem = $"'{text}' is not a size such as {Examples}";
            return false;
        }
        var unit = s[i..].Trim();
        long multiplier = unit.ToLowerInvariant() switch
        {
            "" or "b" => 1,
            "kb" => 1000,
            "mb" => 1000 * 1000,
            "gb" => 1000 * 1000 * 1000,
            "tb" => 1000L * 1000 * 1000 * 1000,
            "kib" => 1L << 10,
            "mib" => 1L << 20,
            "gib" => 1L << 30,
            "tib" => 1L << 40,
            _ => -1,
        };
        if (multiplier < 0)
        {
            problem = unit.ToLowerInvariant() is "k" or "m" or "g" or "t"
                ? $"'{text}': '{unit}' could mean 1000s or 1024s; write {unit.ToUpperInvariant()}iB or "
                    + $"{unit.ToUpperInvariant()}B"
                  .Replace("KB", "kB", StringComparison.Ordinal)
                : $"'{text}': unknown unit '{unit}' (B, kB, MB, GB, KiB, MiB, GiB)";
            return false;
        }
        var value = number * multiplier;
        if (value > long.MaxValue || value != Math.Floor(value))
        {
            problem = $"'{text}' is not a whole number of bytes";
            return false;
        }
        bytes = (long)value;
        return true;
    }
}
