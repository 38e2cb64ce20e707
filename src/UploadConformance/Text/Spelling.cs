namespace UploadConformance.Text;

/// <summary>"Did you mean" for a misspelt key, option or verb.</summary>
public static class Spelling
{
    /// <summary>The known word closest to <paramref name="typed"/>: the same but for case, or within a
    /// few edits (two, or a quarter of the word's length); null when none is that close.</summary>
    public static string? Closest(string typed, IEnumerable<string> known)
    {
        var best = known
            .Select(k =>
                (Word: k, Distance: string.Equals(k, typed, StringComparison.OrdinalIgnoreCase) ? 0
                : Distance(typed, k)))
            .Where(k => k.Distance <= Math.Max(2, typed.Length / 4))
            .OrderBy(k => k.Distance)
            .FirstOrDefault();
        return best.Word;
    }

    /// <summary>Levenshtein distance: insertions, deletions and substitutions.</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
            for (var j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1]
                    + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }
}
