using System.Globalization;
using System.Text.RegularExpressions;
using UploadConformance.Payloads;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace UploadConformance.Targets;

/// <summary>A profile that cannot be used: the message names the file and line, fit for one line of output.</summary>
public sealed class ProfileException(string message) : Exception(message);

/// <summary>Reads a target profile from YAML. Every key is checked: a typo is an error naming its line,
/// never a silent default (k6's thresholds pass a misspelt name; this must not).</summary>
public static partial class ProfileLoader
{
    public static TargetProfile Load(string path, Uri? urlOverride = null)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ProfileException($"{path}: cannot read the profile: {e.Message.ReplaceLineEndings(" ")}");
        }
        return Parse(text, path, urlOverride);
    }

    public static TargetProfile Parse(string yaml, string source, Uri? urlOverride = null)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new ProfileException($"{source}:{e.Start.Line}: not valid YAML ({e.Message.ReplaceLineEndings(" ")})");
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new ProfileException($"{source}:1: a profile is a mapping of keys such as url, field, success, echo, limits");
        var reader = new Reader(source);
        var map = reader.Keys(root, "url", "field", "anyField", "headers", "success", "echo", "fetchBack", "stats", "health", "limits");

        var url = urlOverride ?? (map.TryGetValue("url", out var u) ? reader.Url(u) : throw new ProfileException($"{source}:1: 'url' is missing (or give --target)"));
        var profile = new TargetProfile { Url = url, Source = source };
        if (map.TryGetValue("field", out var field)) profile = profile with { Field = reader.Text(field) };
        if (map.TryGetValue("anyField", out var anyField)) profile = profile with { AnyField = reader.Bool(anyField) };
        if (map.TryGetValue("fetchBack", out var fetch)) profile = profile with { FetchBack = reader.Bool(fetch) };
        if (map.TryGetValue("stats", out var stats)) profile = profile with { Stats = reader.OptionalText(stats) };
        if (map.TryGetValue("health", out var health)) profile = profile with { Health = reader.OptionalText(health) };
        if (map.TryGetValue("headers", out var headers))
        {
            var mapping = reader.Mapping(headers);
            profile = profile with
            {
                Headers = mapping.Children.Select(kv => KeyValuePair.Create(reader.Text(kv.Key), reader.Interpolate(kv.Value))).ToList(),
            };
        }
        if (map.TryGetValue("success", out var success))
        {
            var s = reader.Keys(success, "status", "json");
            var rule = new SuccessRule();
            if (s.TryGetValue("status", out var status)) rule = rule with { Status = reader.Sequence(status).Select(reader.Status).ToList() };
            if (s.TryGetValue("json", out var json)) rule = rule with { Json = reader.Sequence(json).Select(reader.Condition).ToList() };
            profile = profile with { Success = rule };
        }
        if (map.TryGetValue("echo", out var echo))
        {
            var e = reader.Keys(echo, "files", "file", "size", "sha256", "url", "filename", "field", "contentType", "fields");
            string? P(string key, string? fallback) => e.TryGetValue(key, out var node) ? reader.OptionalPath(node) : fallback;
            var d = new EchoPaths();
            profile = profile with
            {
                Echo = new EchoPaths
                {
                    Files = P("files", d.Files), File = P("file", d.File), Size = P("size", d.Size), Sha256 = P("sha256", d.Sha256),
                    Url = P("url", d.Url), Filename = P("filename", d.Filename), Field = P("field", d.Field),
                    ContentType = P("contentType", d.ContentType), Fields = P("fields", d.Fields),
                },
            };
        }
        if (map.TryGetValue("limits", out var limits))
        {
            var l = reader.Keys(limits, "maxFileBytes", "maxParts", "maxFieldBytes", "overLimitStatus");
            var declared = new DeclaredLimits();
            if (l.TryGetValue("maxFileBytes", out var mf)) declared = declared with { MaxFileBytes = reader.Size(mf) };
            if (l.TryGetValue("maxParts", out var mp)) declared = declared with { MaxParts = (int)reader.Size(mp) };
            if (l.TryGetValue("maxFieldBytes", out var mfb)) declared = declared with { MaxFieldBytes = (int)reader.Size(mfb) };
            if (l.TryGetValue("overLimitStatus", out var ols)) declared = declared with { OverLimitStatus = reader.Status(ols) };
            profile = profile with { Limits = declared };
        }
        return profile;
    }

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex EnvReference();

    private sealed class Reader(string source)
    {
        private ProfileException Error(YamlNode node, string message) => new($"{source}:{node.Start.Line}: {message}");

        public Dictionary<string, YamlNode> Keys(YamlNode node, params string[] known)
        {
            var mapping = Mapping(node);
            var result = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
            foreach (var (keyNode, value) in mapping.Children)
            {
                var key = Text(keyNode);
                if (!known.Contains(key))
                {
                    var close = known.FirstOrDefault(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase) || Distance(k, key) <= 2);
                    throw Error(keyNode, $"unknown key '{key}'{(close is null ? "" : $" (did you mean '{close}'?)")}; known here: {string.Join(", ", known)}");
                }
                if (!result.TryAdd(key, value)) throw Error(keyNode, $"'{key}' given twice");
            }
            return result;
        }

        public YamlMappingNode Mapping(YamlNode node) => node as YamlMappingNode ?? throw Error(node, "expected a mapping of keys");

        public IEnumerable<YamlNode> Sequence(YamlNode node) => node switch
        {
            YamlSequenceNode s => s.Children,
            YamlScalarNode => [node],
            _ => throw Error(node, "expected a list"),
        };

        public string Text(YamlNode node) => node is YamlScalarNode { Value: { } v } ? v : throw Error(node, "expected a single value");

        public string? OptionalText(YamlNode node) => node is YamlScalarNode { Value: null or "" or "~" or "null" } ? null : Text(node);

        public string? OptionalPath(YamlNode node)
        {
            var text = OptionalText(node);
            if (text is not null && !JsonPath.IsValid(text)) throw Error(node, $"'{text}' is not a JSON path such as $.data.url");
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
            ByteSize.TryParse(Text(node), out var n) ? n : throw Error(node, $"'{Text(node)}' is not a size such as 1000, 10MiB");

        public JsonCondition Condition(YamlNode node) =>
            JsonCondition.TryParse(Text(node), out var condition, out var error) ? condition! : throw Error(node, error!);

        public string Interpolate(YamlNode node) => EnvReference().Replace(Text(node), m =>
            Environment.GetEnvironmentVariable(m.Groups[1].Value)
            ?? throw Error(node, $"environment variable {m.Groups[1].Value} is not set"));

        private static int Distance(string a, string b)
        {
            var d = new int[a.Length + 1, b.Length + 1];
            for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
            for (var j = 0; j <= b.Length; j++) d[0, j] = j;
            for (var i = 1; i <= a.Length; i++)
                for (var j = 1; j <= b.Length; j++)
                    d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            return d[a.Length, b.Length];
        }
    }
}
