using System.Globalization;
using System.Text.Json;

using UploadConformance.Text;

namespace UploadConformance.Verification;

/// <summary>Compares the formData a server echoes with what was sent, in the shapes servers use:
/// an array of <c>{name, value}</c> in the order received (the reference server), or an object as
/// express (<c>req.body</c>), formidable, Flask (<c>request.form</c>), PHP (<c>$_POST</c>) and Spring
/// (<c>@RequestParam Map</c>) give it: flat (<c>{"a[b]": "1"}</c>, a repeated name as an array) or with
/// bracket names decoded into nested objects and arrays (<c>{"a": {"b": "1"}, "tags": ["x", "y"]}</c>,
/// as qs, multer's append-field and PHP do). Every sent field must be there with its value under its
/// own name or its decoded path; a field missing, renamed (a garbled non-ASCII name) or changed fails.
/// Fields the server adds of its own are not held against it.</summary>
public static class FieldsEcho
{
    public static Check Compare(IReadOnlyList<(string Name, string Value)> sent, JsonElement echo, bool dotsDecode) =>
        echo.ValueKind switch
    {
        JsonValueKind.Array => ComparePairs(sent, echo),
        JsonValueKind.Object => CompareObject(sent, echo, dotsDecode),
        _ => new Check("fields", false, "an array of {name, value} or an object of fields",
        echo.ValueKind.ToString().ToLowerInvariant()),
    };

    private static Check ComparePairs(IReadOnlyList<(string Name, string Value)> sent, JsonElement fields)
    {
        var actual = fields.EnumerateArray().Select(f => (Text(f, "name") ?? "", Text(f, "value") ?? "")).ToList();
        for (var i = 0; i < Math.Max(sent.Count, actual.Count); i++)
        {
            var want = i < sent.Count ? $"{sent[i].Name}={sent[i].Value}" : "no more fields";
            var got = i < actual.Count ? $"{actual[i].Item1}={actual[i].Item2}" : "no more fields";
            if (want != got) return new Check($"fields[{i}]", false, Excerpt(want), Excerpt(got));
        }
        return new Check("fields", true, $"{sent.Count} fields", $"{actual.Count} fields");
    }

    private static Check CompareObject(IReadOnlyList<(string Name, string Value)> sent, JsonElement fields,
        bool dotsDecode)
    {
        var leaves = new Dictionary<string, string>(StringComparer.Ordinal);
        Leaves(fields, "", leaves);
        var occurrences = new Dictionary<string, int>(StringComparer.Ordinal);
        var pushes = new Dictionary<string, int>(StringComparer.Ordinal);
        var counts = sent.GroupBy(f => f.Name).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var renamed = new List<string>();
        foreach (var (name, value) in sent)
        {
            var k = occurrences[name] = occurrences.GetValueOrDefault(name) + 1;
            var candidates = new List<string>();
            if (counts[name] == 1) candidates.Add(Key([name]));
            candidates.Add(Key([name, (k - 1).ToString(CultureInfo.InvariantCulture)]));
            if (Decode(name, dotsDecode, pushes) is { } decoded) candidates.Add(Key(decoded));
            var match = candidates.FirstOrDefault(c => leaves.TryGetValue(c, out var v) && v == value);
            // PHP's documented renaming, the last resort: only when the name itself is not there.
            if (match is null && PhpName(name) is { } php && (Decode(php, false, pushes) ?? [php]) is var path
                && leaves.TryGetValue(Key(path), out var phpValue) && phpValue == value)
            {
                match = Key(path);
                renamed.Add($"{name} → {Show(match)}");
            }
            if (match is not null)
            {
                leaves.Remove(match);
                continue;
            }
            var sameName = candidates.FirstOrDefault(leaves.ContainsKey);
            if (sameName is not null)
                return new Check($"fields.{name}", false, Excerpt($"{name}={value}"),
                    Excerpt($"{Show(sameName)}={leaves[sameName]}"));
            var sameValue = value.Length > 0 ? leaves.FirstOrDefault(l => l.Value == value) : default;
            return new Check($"fields.{name}", false, Excerpt($"{name}={value}"),
                sameValue.Key is { } other ? Excerpt($"the value under {Show(other)}") : "no such field in the answer");
        }
        return renamed.Count == 0
            ? new Check("fields", true, $"{sent.Count} fields", $"{sent.Count} fields found")
            : new Check("fields", false, $"{sent.Count} fields under their own names",
                Excerpt($"{string.Join(", ", renamed)} (dots and spaces in names become underscores, as PHP "
                    + "does)")) { Harmless = true };
    }

    /// <summary>The name PHP files a field under: in the part before the first <c>[</c>, a dot or space
    /// becomes an underscore (a rule kept from register_globals). Null when that changes nothing.</summary>
    private static string? PhpName(string name)
    {
        var open = name.IndexOf('[');
        var head = open < 0 || name.IndexOf(']', open) < 0 ? name : name[..open];
        var renamed = head.Replace('.', '_').Replace(' ', '_');
        return renamed == head ? null : renamed + name[head.Length..];
    }

    /// <summary>Every scalar in the echo, keyed by its path of object keys and array indices.</summary>
    private static void Leaves(JsonElement element, string path, Dictionary<string, string> leaves)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in element.EnumerateObject()) Leaves(p.Value, path + Segment(p.Name), leaves);
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray()) Leaves(item, path
                    + Segment((i++).ToString(CultureInfo.InvariantCulture)), leaves);
                break;
            case JsonValueKind.String:
                leaves[path] = element.GetString()!;
                break;
            case JsonValueKind.Null:
                leaves[path] = "";
                break;
            default:
                leaves[path] = element.GetRawText();
                break;
        }
    }

    /// <summary>A field name read as qs and PHP read it: <c>a[b][0]</c> is a, b, 0; <c>t[]</c> pushes
    /// onto t; with <paramref name="dots"/>, <c>a.b</c> is a, b. Null when the name has no structure.</summary>
    private static List<string>? Decode(string name, bool dots, Dictionary<string, int> pushes)
    {
        var open = name.IndexOf('[');
        var dot = dots ? name.IndexOf('.') : -1;
        if (open <= 0 && dot <= 0) return null;
        var head = open > 0 && (dot < 0 || open < dot) ? open : dot;
        var segments = new List<string> { name[..head] };
        var i = head;
        while (i < name.Length)
        {
            if (name[i] == '[')
            {
                var close = name.IndexOf(']', i);
                if (close < 0) return null;
                var inner = name[(i + 1)..close];
                if (inner.Length == 0)
                {
                    var prefix = Key(segments);
                    var n = pushes[prefix] = pushes.GetValueOrDefault(prefix) + 1;
                    inner = (n - 1).ToString(CultureInfo.InvariantCulture);
                }
                segments.Add(inner);
                i = close + 1;
            }
            else if (dots && name[i] == '.')
            {
                var end = name.IndexOfAny(['.', '['], i + 1);
                segments.Add(end < 0 ? name[(i + 1)..] : name[(i + 1)..end]);
                i = end < 0 ? name.Length : end;
            }
            else return null;
        }
        return segments;
    }

    private static string Segment(string s) => "\u0001" + s;

    private static string Key(IEnumerable<string> segments) => string.Concat(segments.Select(Segment));

    private static string Show(string key) =>
        string.Join(".", key.Split('\u0001', StringSplitOptions.RemoveEmptyEntries));

    private static string? Text(JsonElement e, string property) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(property, out var v)
        ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText() : null;

    private static string Excerpt(string text) => UntrustedText.Excerpt(text, 120);
}
