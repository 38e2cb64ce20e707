using System.Globalization;
using System.Text;

namespace UploadConformance.Text;

/// <summary>Text that came from a target (answer bodies, headers, error messages) made safe for the
/// places we write it. A server may answer with any bytes: NULs and escape sequences must not reach a
/// terminal, and characters XML 1.0 forbids must not reach junit.xml or the HTML report (an
/// XmlWriter throws on them, and the report would be lost). Every such character is shown as a
/// visible escape (<c>\x00</c>, <c>\x1b</c>, <c>\u{202e}</c>), so the evidence stays readable.</summary>
public static class UntrustedText
{
    /// <summary>One line for a terminal: control characters, line breaks included, escaped.</summary>
    public static string ForTerminal(string? text) => Escape(text, keepLineBreaks: false);

    /// <summary>For XML and HTML (after their own encoding): line breaks and tabs kept, the rest escaped.</summary>
    public static string ForMarkup(string? text) => Escape(text, keepLineBreaks: true);

    /// <summary>At most <paramref name="max"/> characters of an answer on one line, "…" where cut.</summary>
    public static string Excerpt(string? text, int max) =>
        text is null ? "nothing" : (text.Length > max ? text[..max] + "…" : text).ReplaceLineEndings(" ");

    public static string Escape(string? text, bool keepLineBreaks)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        if (!NeedsEscape(text, keepLineBreaks)) return text;
        var output = new StringBuilder(text.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                output.Append(c).Append(text[++i]);
                continue;
            }
            if (!Unsafe(c, keepLineBreaks))
            {
                output.Append(c);
                continue;
            }
            output.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                < '\u0100' => $"\\x{(int)c:x2}",
                _ => $"\\u{{{((int)c).ToString("x4", CultureInfo.InvariantCulture)}}}",
            });
        }
        return output.ToString();
    }

    private static bool NeedsEscape(string text, bool keepLineBreaks)
    {
        foreach (var c in text)
            if (Unsafe(c, keepLineBreaks) || char.IsSurrogate(c)) return true;
        return false;
    }

    /// <summary>C0 and C1 controls, DEL, lone surrogates, the two non-characters XML forbids, and the
    /// bidirectional overrides that make a line read differently from what it holds.</summary>
    private static bool Unsafe(char c, bool keepLineBreaks) => c switch
    {
        '\n' or '\r' or '\t' => !keepLineBreaks,
        < ' ' or '\u007f' => true,
        >= '\u0080' and <= '\u009f' => true,
        '\ufffe' or '\uffff' => true,
        >= '\u202a' and <= '\u202e' or >= '\u2066' and <= '\u2069' => true,
        _ => char.IsSurrogate(c),
    };
}
