using UploadConformance.Payloads;
using UploadConformance.Requests;
using UploadConformance.Targets;
using UploadConformance.Wire;
using UploadConformance.Text;
using YamlDotNet.RepresentationModel;

namespace UploadConformance.Scenarios;

/// <summary>Reads a scenario from YAML (see scenarios/README.md), strictly: a typo, a mix of open
/// and closed phases or an unknown threshold metric is an error naming the line.</summary>
public static class ScenarioLoader
{
    public static Scenario Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ProfileException($"{path}: cannot read the scenario: {e.Message.ReplaceLineEndings(" ")}");
        }
        return Parse(text, path);
    }

    /// <param name="profileSteps">The rows the profile's flow adds (<see cref="Scenario.Rows"/>), to which
    /// thresholds may be scoped too.</param>
    public static Scenario Parse(string yaml, string source, IReadOnlyCollection<string>? profileSteps = null)
    {
        var root = StrictYaml.Root(yaml, source, "a scenario is a mapping of keys such as name, mix, load, thresholds");
        var y = new StrictYaml(source);
        var map = y.Keys(root, "name", "seed", "mix", "load", "thresholds", "abortOnFail", "check", "maxInFlight",
            "connections", "streams", "client", "steps");
        if (!map.TryGetValue("mix", out var mixNode)) throw y.Error(root, "'mix' is missing: which requests to send");
        if (!map.TryGetValue("load", out var loadNode)) throw y.Error(root,
            "'load' is missing: the load simulations to run");

        var mixNodes = y.Sequence(mixNode).ToList();
        var loadNodes = y.Sequence(loadNode).ToList();
        var thresholdNodes = map.TryGetValue("thresholds", out var thresholdsNode)
            ? y.Sequence(thresholdsNode).ToList() : [];
        var scenario = new Scenario
        {
            Name = map.TryGetValue("name", out var name) ? y.Text(name) : Path.GetFileNameWithoutExtension(source),
            Seed = map.TryGetValue("seed", out var seed) ? y.Int(seed, 0) : 1,
            Mix = mixNodes.Select(n => Shape(y, n)).ToList(),
            Load = loadNodes.Select(n => Phase(y, n)).ToList(),
            Thresholds = thresholdNodes.Select(n => Threshold(y, n)).ToList(),
            AbortOnFail = map.TryGetValue("abortOnFail", out var aof) && y.Bool(aof),
            CheckFraction = map.TryGetValue("check", out var check) ? Fraction(y, check) : 1,
            MaxInFlight = map.TryGetValue("maxInFlight", out var mif) ? y.Int(mif, 1, 100_000) : 1000,
            Connections = map.TryGetValue("connections", out var conn) ? y.Int(conn, 1, 100_000) : null,
            Streams = map.TryGetValue("streams", out var streams) ? y.Int(streams, 1, 10_000) : null,
            Client = !map.TryGetValue("client", out var client) ? ClientKind.Auto : y.Text(client) switch
            {
                "auto" => ClientKind.Auto,
                "httpclient" => ClientKind.HttpClient,
                var other => throw y.Error(client, $"client is auto or httpclient, not '{other}'"),
            },
            Source = source,
            Flow = map.TryGetValue("steps", out var steps) ? FlowLoader.Read(y, steps) : null,
            ProfileSteps = profileSteps ?? [],
        };
        // The scenario's own rules, each reported at the line of the item it is about.
        if (scenario.Problems().FirstOrDefault() is { } problem)
        {
            var (nodes, whole) = problem.Part switch
            {
                ScenarioPart.Mix => (mixNodes, mixNode),
                ScenarioPart.Load => (loadNodes, loadNode),
                ScenarioPart.Thresholds => (thresholdNodes, thresholdsNode!),
                _ => ([], (YamlNode)root),
            };
            throw y.Error(problem.Index >= 0 && problem.Index < nodes.Count ? nodes[problem.Index] : whole,
                problem.Message);
        }
        return scenario;
    }

    private static Threshold Threshold(StrictYaml y, YamlNode node)
    {
        // "- compressed: p95 < 500ms" reads as a one-key mapping; it means the scoped rule.
        var text = node is YamlMappingNode { Children.Count: 1 } scoped
            ? $"{y.Text(scoped.Children.First().Key)}: {y.Text(scoped.Children.First().Value)}"
            : y.Text(node);
        try
        {
            return Scenarios.Threshold.Parse(text);
        }
        catch (FormatException e)
        {
            throw y.Error(node, e.Message);
        }
    }

    /// <summary>One simulation: a one-key mapping whose key names it, read by its own file's grammar.</summary>
    private static LoadSimulation Phase(StrictYaml y, YamlNode item)
    {
        var mapping = y.Mapping(item);
        if (mapping.Children.Count != 1)
            throw y.Error(item,
                "each load item is one simulation, e.g. inject: { rate: 10, interval: 1s, during: 30s }");
        var (keyNode, args) = mapping.Children.First();
        var name = y.Text(keyNode);
        var kind = LoadSimulation.Kinds.FirstOrDefault(k => k.Name == name);
        if (kind is null)
        {
            var names = LoadSimulation.Kinds.Select(k => k.Name).ToList();
            var close = Spelling.Closest(name, names);
            throw y.Error(keyNode,
                $"no load simulation '{name}'{(close is null ? "" : $" (did you mean '{close}'?)")} "
                + $"({string.Join(", ", names)})");
        }
        return kind.Parse(new SimulationArgs(y, args, kind));
    }

    private static RequestShape Shape(StrictYaml y, YamlNode node)
    {
        var m = y.Keys(node, "name", "weight", "image", "bytes", "file", "contentType", "platform", "encoding",
            "formData", "burst", "abort", "rate", "timeout", "framing");
        if (!m.TryGetValue("name", out var name)) throw y.Error(node, "a request shape needs a name");
        var shape = new RequestShape { Name = y.Text(name) };
        if (m.TryGetValue("weight", out var w)) shape = shape with { Weight = y.Number(w, 0) };
        if (m.TryGetValue("image", out var image)) shape = shape with { Image = y.Text(image) };
        if (m.TryGetValue("bytes", out var bytes)) shape = shape with { Bytes = y.Size(bytes) };
        if (m.TryGetValue("file", out var file))
        {
            var path = y.Text(file);
            if (!System.IO.File.Exists(path)) throw y.Error(file, $"no file '{path}'");
            shape = shape with { File = path };
        }
        if (m.TryGetValue("contentType", out var contentType)) shape = shape with { ContentType = y.Text(contentType) };
        if (m.TryGetValue("platform", out var platform))
        {
            try { shape = shape with { Platform = PlatformProfile.Find(y.Text(platform)) }; }
            catch (ArgumentException e) { throw y.Error(platform, e.Message); }
        }
        if (m.TryGetValue("encoding", out var encoding))
        {
            shape = shape with
            {
                Encoding = y.Text(encoding) switch
                {
                    "js-string" => FormDataEncoding.JsString,
                    "json" => FormDataEncoding.Json,
                    "brackets" => FormDataEncoding.Brackets,
                    "dots" => FormDataEncoding.Dots,
                    var other => throw y.Error(encoding, $"no encoding '{other}' (js-string, json, brackets, dots)"),
                },
            };
        }
        if (m.TryGetValue("formData", out var formData))
        {
            var kind = y.Text(formData);
            if (kind is not ("seed" or "profile" or "order" or "chinese" or "none")) throw y.Error(formData,
                $"no formData kind '{kind}' (seed, profile, order, chinese, none)");
            shape = shape with { FormData = kind };
        }
        if (m.TryGetValue("burst", out var burst)) shape = shape with { Burst = y.Int(burst) };
        if (m.TryGetValue("abort", out var abort))
        {
            var text = y.Text(abort);
            shape = shape with
            {
                Abort = text.EndsWith('%')
                    && double.TryParse(text[..^1], System.Globalization.NumberStyles.Float,
                    System.Globalization.CultureInfo.InvariantCulture, out var pct) && pct is > 0 and < 100
                    ? AbortPoint.AtFraction(pct / 100)
                    : throw y.Error(abort, $"abort takes a percentage between 0 and 100, such as 50%, not '{text}'"),
            };
        }
        if (m.TryGetValue("rate", out var rate)) shape = shape with { RateCapBytesPerSecond = y.Size(rate) };
        if (m.TryGetValue("timeout", out var timeout)) shape =
            shape with { TimeoutMs = (int)y.Duration(timeout).TotalMilliseconds };
        if (m.TryGetValue("framing", out var framing))
        {
            shape = shape with
            {
                Framing = y.Text(framing) switch
                {
                    "content-length" => Framing.ContentLength,
                    "chunked" => Framing.Chunked,
                    var other => throw y.Error(framing, $"framing is content-length or chunked, not '{other}'"),
                },
            };
        }
        return shape;
    }

    private static double Fraction(StrictYaml y, YamlNode node)
    {
        var text = y.Text(node);
        if (text is "all") return 1;
        if (text is "none") return 0;
        return text.EndsWith('%')
            && double.TryParse(text[..^1], System.Globalization.NumberStyles.Float,
            System.Globalization.CultureInfo.InvariantCulture, out var p) && p is >= 0 and <= 100
            ? p / 100
            : throw y.Error(node, $"check is all, none or a percentage such as 10%, not '{text}'");
    }
}

/// <summary>The arguments of one load simulation as its file reads them: a mapping holding exactly
/// the simulation's keys, or (for <c>pause: 5s</c>) a single value.</summary>
public sealed class SimulationArgs
{
    private readonly StrictYaml _yaml;
    private readonly YamlNode _node;
    private readonly Dictionary<string, YamlNode> _args;

    public SimulationArgs(StrictYaml yaml, YamlNode node, SimulationKind kind)
    {
        _yaml = yaml;
        _node = node;
        if (kind.Keys.Count == 0)
        {
            _args = [];
            return;
        }
        _args = yaml.Keys(node, [.. kind.Keys]);
        var missing = kind.Keys.FirstOrDefault(k => !_args.ContainsKey(k));
        if (missing is not null) throw yaml.Error(node,
            $"'{missing}' is missing ({kind.Name} needs {string.Join(", ", kind.Keys)})");
    }

    public int Int(string key, int min) => _yaml.Int(_args[key], min);

    public TimeSpan Duration(string key) => _yaml.Duration(_args[key]);

    /// <summary>The single value of a simulation written <c>name: value</c>.</summary>
    public TimeSpan Duration() => _yaml.Duration(_node);
}
