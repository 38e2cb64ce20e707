using System.Globalization;
using System.Text;
using System.Text.Json;

namespace UploadConformance.Targets;

/// <summary>Where a stored file can be fetched back when the answer names it by an id or a key rather
/// than a URL: <c>/files/{sha256}</c>, <c>/download?key={$.key}</c>, <c>https://cdn.example.com/{$.data.key}</c>.
/// Placeholders are the sent file's <c>{sha256}</c>, <c>{size}</c> and <c>{filename}</c>, or a JSON path
/// read from the file's entry in the answer and, when not there, from the whole answer; each value is
/// URL-escaped. A relative result is resolved against the upload URL.</summary>
public static class FetchTemplate
{
    /// <summary>True when every placeholder is a known name or a JSON path.</summary>
    /// <param name="flowValues">What the profile's steps know after the upload: its stored <c>{key}</c> and
    /// their captures.</param>
    public static bool IsValid(string template, out string? problem, IReadOnlyCollection<string>? flowValues = null)
    {
        problem = null;
        foreach (var name in Placeholders(template))
        {
            if (name is "sha256" or "size" or "filename" || name.StartsWith('$') && JsonPath.IsValid(name)
                || flowValues?.Contains(name) == true) continue;
            problem = $"'{{{name}}}' is not a placeholder (sha256, size, filename, a JSON path such as "
                + $"{{$.data.key}}{(flowValues is { Count: > 0 } ? ", or " + string.Join(", ",
                    flowValues.Select(v => $"{{{v}}}")) : "")})";
            return false;
        }
        return true;
    }

    /// <summary>The URL, or null with the placeholder that had no value.</summary>
    public static string? Resolve(string template, JsonElement? entry, JsonElement? root, string sha256, long size,
        string fileName, out string? missing, IReadOnlyDictionary<string, string>? flowValues = null)
    {
        missing = null;
        var url = new StringBuilder();
        var i = 0;
        while (i < template.Length)
        {
            var open = template.IndexOf('{', i);
            if (open < 0)
            {
                url.Append(template, i, template.Length - i);
                break;
            }
            var close = template.IndexOf('}', open);
            url.Append(template, i, open - i);
            var name = template[(open + 1)..close];
            var value = name switch
            {
                "sha256" => sha256,
                "size" => size.ToString(CultureInfo.InvariantCulture),
                "filename" => fileName,
                _ when !name.StartsWith('$') => flowValues?.GetValueOrDefault(name),
                _ => (entry is { } e ? JsonPath.Text(e, name) : null)
                    ?? (root is { } r ? JsonPath.Text(r, name) : null),
            };
            if (value is null)
            {
                missing = name;
                return null;
            }
            // A stored key names a path: its slashes stay, each segment escaped.
            // A captured URL that opens the template is a URL already.
            url.Append(flowValues?.ContainsKey(name) == true && !name.StartsWith('$')
                ? open == 0 ? value : string.Join('/', value.Split('/').Select(Uri.EscapeDataString))
                : Uri.EscapeDataString(value));
            i = close + 1;
        }
        return url.ToString();
    }

    private static IEnumerable<string> Placeholders(string template)
    {
        for (var open = template.IndexOf('{'); open >= 0; open = template.IndexOf('{', open + 1))
        {
            var close = template.IndexOf('}', open);
            if (close < 0) yield break;
            yield return template[(open + 1)..close];
        }
    }
}
