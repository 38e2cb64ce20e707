using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace UploadConformance.Targets;

/// <summary>Reads a profile's <c>steps</c>: a list of named requests and one <c>upload</c> item, each
/// placeholder checked against the facts of an upload and what earlier steps capture, so a typo is an error
/// naming its line before anything is sent.</summary>
public static class FlowLoader
{
    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"];

    public static Flow Read(StrictYaml reader, YamlNode node)
    {
        var before = new List<FlowStep>();
        var after = new List<FlowStep>();
        UploadStep? upload = null;
        var known = new HashSet<string>(StepTemplate.Facts, StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in reader.Sequence(node))
        {
            var map = reader.Mapping(item);
            if (map.Children.Count == 1 && map.Children.Keys.Single() is YamlScalarNode { Value: "upload" })
            {
                if (upload is not null) throw reader.Error(item, "steps: only one item is the upload");
                upload = ReadUpload(reader, map.Children.Values.Single(), known);
                if (!names.Add(upload.Name)) throw reader.Error(item, $"steps: '{upload.Name}' named twice");
                // After the upload its stored key is known (the form's key, or what the upload captures).
                known.Add(StepTemplate.StoredKey);
                continue;
            }
            var step = ReadStep(reader, item, known, afterUpload: upload is not null);
            if (!names.Add(step.Name)) throw reader.Error(item, $"steps: '{step.Name}' named twice");
            if (upload is null) before.Add(step);
            else after.Add(step);
        }
        if (upload is null) throw reader.Error(node,
            "steps: one item must be the upload (- upload: {url: ..., formData: ...}, or - upload: {})");
        // Once-steps run before any per-upload step, whatever the order written.
        before = [.. before.Where(s => s.Scope != StepScope.Upload), .. before.Where(s => s.Scope == StepScope.Upload)];
        return new Flow { Before = before, Upload = upload, After = after };
    }

    private static FlowStep ReadStep(StrictYaml reader, YamlNode item, HashSet<string> known, bool afterUpload)
    {
        var map = reader.Keys(item, "name", "once", "method", "url", "headers", "json", "form", "capture", "expect");
        var name = map.TryGetValue("name", out var n) ? reader.Text(n)
            : throw reader.Error(item, "a step needs a name (login, credential, confirm…)");
        if (!map.TryGetValue("url", out var urlNode)) throw reader.Error(item, $"step '{name}': 'url' is missing");
        var scope = StepScope.Upload;
        if (map.TryGetValue("once", out var once))
        {
            scope = reader.Text(once) switch
            {
                "run" => StepScope.Run,
                "user" => StepScope.User,
                var other => throw reader.Error(once, $"once: '{other}' is neither run nor user"),
            };
            if (afterUpload) throw reader.Error(once, $"step '{name}': only steps before the upload run once");
        }
        var method = map.TryGetValue("method", out var m) ? reader.Text(m).ToUpperInvariant() : "GET";
        if (!Methods.Contains(method)) throw reader.Error(m!, $"method: '{method}' is not one of "
            + string.Join(", ", Methods));
        // A once-step runs before any upload: it knows no file.
        var usable = scope == StepScope.Upload ? known : [.. known.Except(StepTemplate.Facts)];
        var url = Template(reader, urlNode, usable, name);
        var headers = map.TryGetValue("headers", out var h) ? Pairs(reader, h, usable, name) : [];
        var form = map.TryGetValue("form", out var f) ? Pairs(reader, f, usable, name) : [];
        JsonNode? json = map.TryGetValue("json", out var j) ? Json(reader, j, usable, name) : null;
        if (json is not null && form.Count > 0) throw reader.Error(item, $"step '{name}': a json or a form body, "
            + "not both");
        IReadOnlyList<int> expect = map.TryGetValue("expect", out var e)
            ? reader.Sequence(e).Select(reader.Status).ToList() : [];
        var captures = map.TryGetValue("capture", out var c) ? Captures(reader, c) : [];
        foreach (var capture in captures) known.Add(capture.Name);
        return new FlowStep
        {
            Name = name, Scope = scope, Method = method, Url = url, Headers = headers, Json = json, Form = form,
            Captures = captures, Expect = expect,
        };
    }

    private static UploadStep ReadUpload(StrictYaml reader, YamlNode node, HashSet<string> known)
    {
        if (node is YamlScalarNode { Value: null or "" or "~" }) return new UploadStep();
        var map = reader.Keys(node, "name", "url", "headers", "formData", "capture");
        var step = new UploadStep();
        if (map.TryGetValue("name", out var n)) step = step with { Name = reader.Text(n) };
        if (map.TryGetValue("url", out var u)) step = step with { Url = Template(reader, u, known, step.Name) };
        if (map.TryGetValue("headers", out var h)) step = step with { Headers = Pairs(reader, h, known, step.Name) };
        if (map.TryGetValue("formData", out var f)) step =
            step with { FormData = Pairs(reader, f, known, step.Name) };
        if (map.TryGetValue("capture", out var c)) step = step with { Captures = Captures(reader, c) };
        foreach (var capture in step.Captures) known.Add(capture.Name);
        return step;
    }

    private static string Template(StrictYaml reader, YamlNode node, IReadOnlySet<string> known, string step)
    {
        var text = reader.Interpolate(node);
        foreach (var name in StepTemplate.Names(text))
            if (!known.Contains(name)) throw reader.Error(node, $"step '{step}': '{{{name}}}' is neither captured "
                + $"by an earlier step nor one of {string.Join(", ", StepTemplate.Facts.Select(f => $"{{{f}}}"))}"
                + (name == StepTemplate.StoredKey ? " ({key} is known after the upload)" : ""));
        return text;
    }

    private static List<KeyValuePair<string, string>> Pairs(StrictYaml reader, YamlNode node,
        IReadOnlySet<string> known, string step) =>
        reader.Mapping(node).Children
            .Select(kv => KeyValuePair.Create(reader.Text(kv.Key), Template(reader, kv.Value, known, step))).ToList();

    private static List<Capture> Captures(StrictYaml reader, YamlNode node) =>
        reader.Mapping(node).Children.Select(kv =>
        {
            var name = reader.Text(kv.Key);
            if (StepTemplate.Facts.Contains(name)) throw reader.Error(kv.Key,
                $"capture: '{name}' is a fact of the upload; capture it under another name");
            return Capture.TryParse(name, reader.Text(kv.Value), out var capture, out var problem)
                ? capture! : throw reader.Error(kv.Value, $"capture {name}: {problem}");
        }).ToList();

    /// <summary>A YAML body as JSON: mappings, lists, and scalars, plain ones read as numbers, booleans and
    /// null where they look like them; every string a template.</summary>
    private static JsonNode? Json(StrictYaml reader, YamlNode node, IReadOnlySet<string> known, string step)
    {
        switch (node)
        {
            case YamlMappingNode map:
                var obj = new JsonObject();
                foreach (var (k, v) in map.Children) obj[reader.Text(k)] = Json(reader, v, known, step);
                return obj;
            case YamlSequenceNode seq:
                var array = new JsonArray();
                foreach (var v in seq.Children) array.Add(Json(reader, v, known, step));
                return array;
            case YamlScalarNode { Style: ScalarStyle.Plain, Value: var plain }:
                if (plain is null or "~" or "null") return null;
                if (plain is "true" or "false") return JsonValue.Create(plain == "true");
                if (double.TryParse(plain, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                    && !plain.Contains('{')) return JsonValue.Create(number);
                return JsonValue.Create(Template(reader, node, known, step));
            default:
                return JsonValue.Create(Template(reader, node, known, step));
        }
    }
}
