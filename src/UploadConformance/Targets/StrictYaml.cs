using System.Globalization;
using System.Text.RegularExpressions;
using UploadConformance.Payloads;
using UploadConformance.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace UploadConformance.Targets;

/// <summary>Reads configuration YAML strictly: every key is checked against the ones allowed where it
/// stands, and every mistake is a <see cref="ProfileException"/> naming the file and line.</summary>
public sealed partial class StrictYaml(string source)
{
    public static YamlMappingNode Root(string yaml, string source, string whatItIs)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new ProfileException(
                $"{source}:{e.Start.Line}: not valid YAML ({e.Message.ReplaceLineEndings(" ")})");
        }
        return stream.Documents.Count > 0 && stream.Documents[0].RootNode is YamlMappingNode root
            ? root
            : throw new ProfileException($"{source}:1: {whatItIs}");
    }

    // $${NAME} is ${NAME} as written: the object stores' own ${filename} in a key template.
    [GeneratedRegex(@"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$(\$\{)")]
    private static partial Regex EnvReference();

    /// <summary>The environment variables a YAML document's values name as <c>${NAME}</c>, in order, each
    /// once: what a profile needs from where it runs (a Kubernetes Secret). Comments name none: a
    /// commented-out header needs no secret.</summary>
    public static IReadOnlyList<string> EnvReferences(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException)
        {
            return [];
        }
        return stream.Documents.SelectMany(d => d.AllNodes).OfType<YamlScalarNode>()
            .SelectMany(n => EnvReference().Matches(n.Value ?? "")).Where(m => m.Groups[1].Success)
            .Select(m => m.Groups[1].Value)
            .Distinct(StringComparer.Ordinal).ToList();
    }


    public ProfileException Error(YamlNode node, string message) => new($"{source}:{node.Start.Line}: {message}");

    public Dictionary<string, YamlNode> Keys(YamlNode node, params string[] known)
    {
        var mapping = Mapping(node);
        var result = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in mapping.Children)
        {
            var key = Text(keyNode);
            if (!known.Contains(key))
            {
                var close = Spelling.Closest(key, known);
                throw Error(keyNode,
                    $"unknown key '{key}'{(close is null ? "" : $" (did you mean '{close}'?)")}; known here: "
                    + $"{string.Join(", ", known)}");
            }
            if (!result.TryAdd(key, value)) throw Error(keyNode, $"'{key}' given twice");
        }
        return result;
    }

    public YamlMappingNode Mapping(YamlNode node) => node as YamlMappingNode
        ?? throw Error(node, "expected a mapping of keys");

    public IEnumerable<YamlNode> Sequence(YamlNode node) => node switch
    {
        YamlSequenceNode s => s.Children,
        YamlScalarNode => [node],
        _ => throw Error(node, "expected a list"),
    };

    public string Text(YamlNode node) => node is YamlScalarNode { Value: { } v }
        ? v : throw Error(node, "expected a single value");

    public string? OptionalText(YamlNode node) => node is YamlScalarNode { Value: null or "" or "~" or "null" }
        ? null : Text(node);

    public string? OptionalPath(YamlNode node)
    {
        var text = OptionalText(node);
        if (text is not null && !JsonPath.IsValid(text)) throw Error(node,
            $"'{text}' is not a JSON path such as $.data.url");
        return text;
    }

    public bool Bool(YamlNode node) => Text(node) switch
    {
        "true" or "yes" or "on" => true,
        "false" or "no" or "off" => false,
        var other => throw Error(node, $"expected true or false, not '{other}'"),
    };

    public Uri Url(YamlNode node)
    {
        var text = Interpolate(node);
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw Error(node, $"'{text}' is not an http:// or https:// URL");
    }

    public int Status(YamlNode node) =>
        int.TryParse(Text(node), NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s is >= 100 and <= 599
            ? s
            : throw Error(node, $"'{Text(node)}' is not an HTTP status");

    public long Size(YamlNode node) =>
        ByteSize.TryParse(Text(node), out var n, out var problem) ? n : throw Error(node, problem!);

    public JsonCondition Condition(YamlNode node) =>
        JsonCondition.TryParse(Text(node), out var condition, out var error) ? condition! : throw Error(node, error!);

    /// <summary>Whether an unset <c>${NAME}</c> is an error (a run that sends it) or stays as written
    /// (listing cases, which sends nothing).</summary>
    public bool RequireEnvironment { get; init; } = true;

    public string Interpolate(YamlNode node) => EnvReference().Replace(Text(node), m => !m.Groups[1].Success
        ? m.Groups[2].Value
        : Environment.GetEnvironmentVariable(m.Groups[1].Value)
        ?? (RequireEnvironment ? throw Error(node, $"environment variable {m.Groups[1].Value} is not set")
            : m.Value));

    public int Int(YamlNode node, int min = int.MinValue, int max = int.MaxValue) =>
        int.TryParse(Text(node), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
            ? v
            : throw Error(node, $"'{Text(node)}' is not a whole number from {min} to {max}");

    public double Number(YamlNode node, double min = double.MinValue) =>
        double.TryParse(Text(node), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= min
            ? v
            : throw Error(node, $"'{Text(node)}' is not a number of at least {min}");

    public TimeSpan Duration(YamlNode node) =>
        TryDuration(Text(node), out var d) ? d
        : throw Error(node, $"'{Text(node)}' is not a duration such as 500ms, 30s, 2m or 1h");

    /// <summary>"500ms", "30s", "2m", "1h", "1.5s", or "0".</summary>
    public static bool TryDuration(string text, out TimeSpan duration)
    {
        duration = default;
        var t = text.Trim();
        if (t == "0") return true;
        var (unit, scale) = t.EndsWith("ms", StringComparison.Ordinal) ? ("ms", 1.0)
            : t.EndsWith('s') ? ("s", 1000.0)
            : t.EndsWith('m') ? ("m", 60_000.0)
            : t.EndsWith('h') ? ("h", 3_600_000.0)
            : ("", 0);
        if (scale == 0
            || !double.TryParse(t[..^unit.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var n)
            || n < 0) return false;
        duration = TimeSpan.FromMilliseconds(n * scale);
        return true;
    }
}
