using System.Globalization;

namespace UploadConformance.Payloads;

public static class ByteSize
{
    public static string Format(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.##} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.##} MiB",
        >= 1L << 10 => $"{bytes / 1024.0:0.##} KiB",
        _ => $"{bytes} B",
    };

    /// <summary>Parses "1GiB", "5MB", "200k", "1500": binary units (k/KiB/KB all mean 1024).</summary>
    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        var s = text.Trim();
        var i = 0;
        while (i < s.Length && (char.IsDigit(s[i]) || s[i] == '.')) i++;
        if (i == 0 || !double.TryParse(s[..i], NumberStyles.Float, CultureInfo.InvariantCulture, out var number)) return false;
        var unit = s[i..].Trim().ToLowerInvariant();
        long multiplier = unit switch
        {
            "" or "b" => 1,
            "k" or "kb" or "kib" => 1L << 10,
            "m" or "mb" or "mib" => 1L << 20,
            "g" or "gb" or "gib" => 1L << 30,
            _ => -1,
        };
        if (multiplier < 0 || number < 0) return false;
        bytes = (long)(number * multiplier);
        return true;
    }
}
