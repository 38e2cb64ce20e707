using System.Globalization;
using System.Text.Json;

namespace UploadConformance.Targets;

/// <summary>The small JSON-path subset profiles use: <c>$.data.files[0].sha256</c>, and conditions
/// <c>$.code == 0</c>, <c>$.errno != 401</c>, <c>$.ok == true</c>, <c>$.msg == "成功"</c>.</summary>
public static class JsonPath
{
    public static bool IsValid(string path) => TryParse(path, out _);

    public static JsonElement? Select(JsonElement root, string path)
    {
        if (!TryParse(path, out var steps)) throw new FormatException($"not a JSON path: {path}");
        var current = root;
        foreach (var step in steps)
        {
            if (step.Index is { } index)
            {
                if (current.ValueKind != JsonValueKind.Array || index >= current.GetArrayLength()) return null;
                current = current[index];
            }
            else if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(step.Name!, out current))
            {
                return null;
            }
        }
        return current;
    }

    /// <summary>The value as the text a check compares: strings bare, everything else as JSON.</summary>
    public static string? Text(JsonElement root, string path) => Select(root, path) is { } e
        ? e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText()
        : null;

    private readonly record struct Step(string? Name, int? Index);

    private static bool TryParse(string path, out List<Step> steps)
    {
        steps = [];
        if (!path.StartsWith('$')) return false;
        var i = 1;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var start = ++i;
                while (i < path.Length && path[i] != '.' && path[i] != '[') i++;
                if (i == start) return false;
                steps.Add(new Step(path[start..i], null));
            }
            else if (path[i] == '[')
            {
                var end = path.IndexOf(']', i);
                if (end < 0
                    || !int.TryParse(path.AsSpan(i + 1, end - i - 1), NumberStyles.None, CultureInfo.InvariantCulture,
                    out var index)) return false;
                steps.Add(new Step(null, index));
                i = end + 1;
            }
            else return false;
        }
        return true;
    }
}

/// <summary><c>path op literal</c>: the literal is JSON (<c>0</c>, <c>true</c>, <c>"ok"</c>, <c>null</c>)
/// or a bare word taken as a string.</summary>
public sealed record JsonCondition(string Path, bool Equal, string Literal)
{
    public static JsonCondition Parse(string text) =>
        TryParse(text, out var condition, out var error) ? condition! : throw new FormatException(error);

    public static bool TryParse(string text, out JsonCondition? condition, out string? error)
    {
        condition = null;
        error = null;
        var op = text.Contains("!=", StringComparison.Ordinal) ? "!="
            : text.Contains("==", StringComparison.Ordinal) ? "==" : null;
        if (op is null)
        {
            error = $"condition '{text}' needs == or != (e.g. \"$.code == 0\")";
            return false;
        }
        var at = text.IndexOf(op, StringComparison.Ordinal);
        var path = text[..at].Trim();
        var literal = text[(at + 2)..].Trim();
        if (!JsonPath.IsValid(path))
        {
            error = $"condition '{text}': '{path}' is not a JSON path such as $.data.code";
            return false;
        }
        if (literal.Length == 0)
        {
            error = $"condition '{text}' has nothing to compare with";
            return false;
        }
        condition = new JsonCondition(path, op == "==", Normalise(literal));
        return true;
    }

    public bool Holds(JsonElement root)
    {
        var actual = JsonPath.Select(root, Path) is { } e ? Canonical(e) : "undefined";
        return (actual == Literal) == Equal;
    }

    public string Describe(JsonElement root) => JsonPath.Select(root, Path) is { } e ? e.GetRawText() : "undefined";

    /// <summary>A literal as written in the profile: JSON if it parses, else a bare word taken as a string.</summary>
    private static string Normalise(string literal)
    {
        try
        {
            using var doc = JsonDocument.Parse(literal);
            return Canonical(doc.RootElement);
        }
        catch (JsonException)
        {
            return "s:" + literal;
        }
    }

    /// <summary>One spelling per value, so 0 equals 0.0 and "成功" equals its escaped form.</summary>
    private static string Canonical(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number => "n:" + e.GetDouble().ToString("R", CultureInfo.InvariantCulture),
        JsonValueKind.String => "s:" + e.GetString(),
        _ => e.GetRawText(),
    };

    public override string ToString() =>
        $"{Path} {(Equal ? "==" : "!=")} "
        + (Literal.StartsWith("s:", StringComparison.Ordinal)
            ? JsonSerializer.Serialize(Literal[2..], Requests.JsonText.Options)
            : Literal.StartsWith("n:", StringComparison.Ordinal) ? Literal[2..]
            : Literal);
}
