
namespace UploadConformance.Targets;

/// <summary>A profile or scenario file that cannot be used: the message names the file and line, fit for one line of
/// output.</summary>
public sealed class ProfileException(string message) : Exception(message);

/// <summary>Reads a target profile from YAML. Every key is checked: a typo is an error naming its line,
/// never a silent default (k6's thresholds pass a misspelt name; this must not).</summary>
public static class ProfileLoader
{
    /// <param name="requireEnvironment">False where nothing is sent (listing cases): an unset
    /// <c>${NAME}</c> then stays as written instead of being an error.</param>
    public static TargetProfile Load(string path, Uri? urlOverride = null, bool requireEnvironment = true)
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
        return Parse(text, path, urlOverride, requireEnvironment);
    }

    /// <summary>What a flow knows once its upload has answered: the stored key and every capture before it.
    /// </summary>
    private static IReadOnlyCollection<string> FlowValues(Flow flow) => flow.IsOnePost ? []
        : flow.Before.SelectMany(s => s.Captures).Concat(flow.Upload.Captures).Select(c => c.Name)
            .Append(StepTemplate.StoredKey).Distinct().ToList();

    public static TargetProfile Parse(string yaml, string source, Uri? urlOverride = null,
        bool requireEnvironment = true)
    {
        var root = StrictYaml.Root(yaml, source,
            "a profile is a mapping of keys such as url, field, success, echo, limits");
        var reader = new StrictYaml(source) { RequireEnvironment = requireEnvironment };
        var map = reader.Keys(root, "url", "field", "anyField", "headers", "success", "echo", "fetchBack", "fetch",
            "stats", "health", "limits", "storage", "steps");

        var url = urlOverride
            ?? (map.TryGetValue("url", out var u) ? reader.Url(u)
            : throw new ProfileException($"{source}:1: 'url' is missing (or give --target)"));
        var profile = new TargetProfile { Url = url, Source = source };
        // A store's defaults first: every key written below still says otherwise.
        if (map.TryGetValue("storage", out var storage))
        {
            try
            {
                profile = ObjectStorage.Defaults(profile, ObjectStorage.Parse(reader.Text(storage)));
            }
            catch (FormatException e)
            {
                throw reader.Error(storage, e.Message);
            }
        }
        if (map.TryGetValue("steps", out var steps)) profile = profile with { Flow = FlowLoader.Read(reader, steps) };
        if (map.TryGetValue("field", out var field)) profile = profile with { Field = reader.Text(field) };
        if (map.TryGetValue("anyField", out var anyField)) profile = profile with { AnyField = reader.Bool(anyField) };
        if (map.TryGetValue("fetchBack", out var fetchBack)) profile =
            profile with { FetchBack = reader.Bool(fetchBack) };
        if (map.TryGetValue("fetch", out var fetch))
        {
            var template = reader.OptionalText(fetch);
            if (template is not null && !FetchTemplate.IsValid(template, out var problem, FlowValues(profile.Flow)))
                throw reader.Error(fetch, $"fetch: {problem}");
            profile = profile with { Fetch = template };
        }
        if (map.TryGetValue("stats", out var stats)) profile = profile with { Stats = reader.OptionalText(stats) };
        if (map.TryGetValue("health", out var health)) profile = profile with { Health = reader.OptionalText(health) };
        if (map.TryGetValue("headers", out var headers))
        {
            var mapping = reader.Mapping(headers);
            profile = profile with
            {
                Headers = mapping.Children.Select(kv =>
                    KeyValuePair.Create(reader.Text(kv.Key), reader.Interpolate(kv.Value))).ToList(),
            };
        }
        if (map.TryGetValue("success", out var success))
        {
            var s = reader.Keys(success, "status", "json");
            var rule = profile.Success;
            if (s.TryGetValue("status", out var status)) rule =
                rule with { Status = reader.Sequence(status).Select(reader.Status).ToList() };
            if (s.TryGetValue("json", out var json)) rule =
                rule with { Json = reader.Sequence(json).Select(reader.Condition).ToList() };
            profile = profile with { Success = rule };
        }
        if (map.TryGetValue("echo", out var echo))
        {
            var e = reader.Keys(echo, "files", "file", "size", "sha256", "url", "filename", "field", "contentType",
                "fields");
            string? P(string key, string? fallback) => e.TryGetValue(key, out var node) ? reader.OptionalPath(node)
                : fallback;
            var d = profile.Echo;
            profile = profile with
            {
                Echo = new EchoPaths
                {
                    Files = P("files", d.Files), File = P("file", d.File), Size = P("size", d.Size), Sha256 =
                        P("sha256", d.Sha256),
                    Url = P("url", d.Url), Filename = P("filename", d.Filename), Field = P("field", d.Field),
                    ContentType = P("contentType", d.ContentType), Fields = P("fields", d.Fields),
                },
            };
        }
        if (map.TryGetValue("limits", out var limits))
        {
            var l = reader.Keys(limits, "maxFileBytes", "maxFiles", "maxRequestBytes", "maxParts", "maxFieldBytes",
                "overLimitStatus");
            var declared = profile.Limits;
            if (l.TryGetValue("maxFileBytes", out var mf)) declared = declared with { MaxFileBytes = reader.Size(mf) };
            if (l.TryGetValue("maxFiles", out var mfs)) declared = declared with { MaxFiles = reader.Int(mfs, 1) };
            if (l.TryGetValue("maxRequestBytes", out var mr)) declared =
                declared with { MaxRequestBytes = reader.Size(mr) };
            if (l.TryGetValue("maxParts", out var mp)) declared = declared with { MaxParts = (int)reader.Size(mp) };
            if (l.TryGetValue("maxFieldBytes", out var mfb)) declared =
                declared with { MaxFieldBytes = (int)reader.Size(mfb) };
            if (l.TryGetValue("overLimitStatus", out var ols)) declared =
                declared with { OverLimitStatus = reader.Status(ols) };
            profile = profile with { Limits = declared };
        }
        return profile;
    }
}
