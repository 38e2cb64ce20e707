using System.Text.RegularExpressions;

namespace UploadConformance.Targets;

/// <summary>The <c>{name}</c> templates of a flow's URLs, headers and bodies, as <c>fetch</c> writes
/// them: <c>{name}</c> is a value an earlier step captured or a fact of the upload (<see cref="Facts"/>).
/// A <c>$</c> before the brace keeps it as written, because object stores read <c>${filename}</c> themselves
/// (a profile writes <c>$${filename}</c>, as <c>${NAME}</c> alone reads the environment).</summary>
public static partial class StepTemplate
{
    /// <summary>What every upload provides: its file's digest, size, name and type, a fresh id, and after the
    /// upload the key it was stored under.</summary>
    public static readonly IReadOnlyList<string> Facts = ["sha256", "size", "filename", "contentType", "uuid"];

    /// <summary>Known only once the upload has answered: the stored key.</summary>
    public const string StoredKey = "key";

    [GeneratedRegex(@"(?<!\$)\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex Placeholder();

    public static IEnumerable<string> Names(string template) =>
        Placeholder().Matches(template).Select(m => m.Groups[1].Value);

    /// <summary>The template with every placeholder filled, or null naming the first that has no value.
    /// In a URL (<paramref name="url"/>) values are escaped, except one that opens the template: a captured
    /// host or a presigned URL is a URL already.</summary>
    public static string? Resolve(string template, IReadOnlyDictionary<string, string> values, bool url,
        out string? missing)
    {
        string? absent = null;
        var result = Placeholder().Replace(template, m =>
        {
            if (absent is not null) return "";
            if (!values.TryGetValue(m.Groups[1].Value, out var value))
            {
                absent = m.Groups[1].Value;
                return "";
            }
            return url && m.Index > 0 ? Uri.EscapeDataString(value) : value;
        });
        missing = absent;
        return absent is null ? result : null;
    }

    /// <summary>Like <see cref="Resolve"/>, for a flow that checked its names when loaded: a missing value is
    /// then a bug, said as such.</summary>
    public static string Fill(string template, IReadOnlyDictionary<string, string> values, bool url = false) =>
        Resolve(template, values, url, out var missing)
        ?? throw new InvalidOperationException($"'{{{missing}}}' has no value in '{template}'");
}
