using UploadConformance.Payloads;
using UploadConformance.Requests;
using UploadConformance.Targets;
using UploadConformance.Wire;
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

    public static Scenario Parse(string yaml, string source)
    {
        var root = StrictYaml.Root(yaml, source, "a scenario is a mapping of keys such as name, mix, load, thresholds");
        var y = new StrictYaml(source);
        var map = y.Keys(root, "name", "seed", "mix", "load", "thresholds", "abortOnFail", "check", "maxInFlight", "connections", "client");
        if (!map.TryGetValue("mix", out var mixNode)) throw y.Error(root, "'mix' is missing: which requests to send");
        if (!map.TryGetValue("load", out var loadNode)) throw y.Error(root, "'load' is missing: the load simulations to run");

        var mix = y.Sequence(mixNode).Select(n => Shape(y, n)).ToList();
        if (mix.Select(m => m.Name).Distinct().Count() != mix.Count) throw y.Error(mixNode, "two request shapes share a name");
        var load = LoadPhases(y, loadNode);
        var thresholds = new List<Threshold>();
        if (map.TryGetValue("thresholds", out var thresholdsNode))
        {
            foreach (var node in y.Sequence(thresholdsNode))
            {
                Threshold t;
                // "- compressed: p95 < 500ms" reads as a one-key mapping; it means the scoped rule.
                var text = node is YamlMappingNode { Children.Count: 1 } scoped
                    ? $"{y.Text(scoped.Children.First().Key)}: {y.Text(scoped.Children.First().Value)}"
                    : y.Text(node);
                try
                {
                    t = Threshold.Parse(text);
                }
                catch (FormatException e)
                {
                    throw y.Error(node, e.Message);
                }
                if (t.Scope is { } scope && mix.All(m => m.Name != scope))
                    throw y.Error(node, $"threshold '{t.Text}' is scoped to '{scope}', which is not a request name in the mix ({string.Join(", ", mix.Select(m => m.Name))})");
                thresholds.Add(t);
            }
        }
        return new Scenario
        {
            Name = map.TryGetValue("name", out var name) ? y.Text(name) : Path.GetFileNameWithoutExtension(source),
            Seed = map.TryGetValue("seed", out var seed) ? y.Int(seed, 0) : 1,
            Mix = mix,
            Load = load,
            Thresholds = thresholds,
            AbortOnFail = map.TryGetValue("abortOnFail", out var aof) && y.Bool(aof),
            CheckFraction = map.TryGetValue("check", out var check) ? Fraction(y, check) : 1,
            MaxInFlight = map.TryGetValue("maxInFlight", out var mif) ? y.Int(mif, 1, 100_000) : 1000,
            Connections = map.TryGetValue("connections", out var conn) ? y.Int(conn, 1, 100_000) : null,
            Client = !map.TryGetValue("client", out var client) ? ClientKind.Auto : y.Text(client) switch
            {
                "auto" => ClientKind.Auto,
                "httpclient" => ClientKind.HttpClient,
                var other => throw y.Error(client, $"client is auto or httpclient, not '{other}'"),
            },
            Source = source,
        }.Validate();
    }

    private static RequestShape Shape(StrictYaml y, YamlNode node)
    {
        var m = y.Keys(node, "name", "weight", "image", "bytes", "file", "contentType", "platform", "encoding", "formData", "burst", "abort", "rate", "timeout", "framing");
        if (!m.TryGetValue("name", out var name)) throw y.Error(node, "a request shape needs a name");
        var shape = new RequestShape { Name = y.Text(name) };
        if (m.TryGetValue("weight", out var w)) shape = shape with { Weight = y.Number(w, 0) };
        if (m.TryGetValue("image", out var image))
        {
            var id = y.Text(image);
            if (ImageSpec.All.All(s => s.Id != id)) throw y.Error(image, $"no image '{id}' (images: {string.Join(", ", ImageSpec.All.Select(s => s.Id))})");
            shape = shape with { Image = id };
        }
        if (m.TryGetValue("bytes", out var bytes)) shape = shape with { Bytes = y.Size(bytes) };
        if (m.TryGetValue("file", out var file))
        {
            var path = y.Text(file);
            if (!System.IO.File.Exists(path)) throw y.Error(file, $"no file '{path}'");
            shape = shape with { File = path };
        }
        if (m.TryGetValue("contentType", out var contentType)) shape = shape with { ContentType = y.Text(contentType) };
        if (new object?[] { shape.Image, shape.Bytes, shape.File }.Count(x => x is not null) != 1)
            throw y.Error(node, $"request shape '{shape.Name}' needs exactly one of image, bytes or file");
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
            if (kind is not ("seed" or "profile" or "order" or "chinese" or "none")) throw y.Error(formData, $"no formData kind '{kind}' (seed, profile, order, chinese, none)");
            shape = shape with { FormData = kind };
        }
        if (m.TryGetValue("burst", out var burst)) shape = shape with { Burst = y.Int(burst, 1, 9) };
        if (m.TryGetValue("abort", out var abort))
        {
            var text = y.Text(abort);
            shape = shape with
            {
                Abort = text.EndsWith('%') && double.TryParse(text[..^1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var pct) && pct is > 0 and < 100
                    ? AbortPoint.AtFraction(pct / 100)
                    : throw y.Error(abort, $"abort takes a percentage between 0 and 100, such as 50%, not '{text}'"),
            };
        }
        if (m.TryGetValue("rate", out var rate)) shape = shape with { RateCapBytesPerSecond = y.Size(rate) };
        if (m.TryGetValue("timeout", out var timeout)) shape = shape with { TimeoutMs = (int)y.Duration(timeout).TotalMilliseconds };
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

    private static List<LoadSimulation> LoadPhases(StrictYaml y, YamlNode node)
    {
        var phases = new List<LoadSimulation>();
        bool? open = null;
        foreach (var item in y.Sequence(node))
        {
            var mapping = y.Mapping(item);
            if (mapping.Children.Count != 1) throw y.Error(item, "each load item is one simulation, e.g. inject: { rate: 10, interval: 1s, during: 30s }");
            var (keyNode, args) = mapping.Children.First();
            var kind = y.Text(keyNode);
            LoadSimulation phase = kind switch
            {
                "keepConstant" => Args(y, args, "copies", "during") is var a ? new LoadSimulation.KeepConstant(y.Int(a["copies"], 1), y.Duration(a["during"])) : null!,
                "rampingConstant" => Args(y, args, "copies", "during") is var b ? new LoadSimulation.RampingConstant(y.Int(b["copies"], 0), y.Duration(b["during"])) : null!,
                "iterationsForConstant" => Args(y, args, "copies", "iterations") is var c ? new LoadSimulation.IterationsForConstant(y.Int(c["copies"], 1), y.Int(c["iterations"], 1)) : null!,
                "inject" => Args(y, args, "rate", "interval", "during") is var d ? new LoadSimulation.Inject(y.Int(d["rate"], 0), Interval(y, d["interval"]), y.Duration(d["during"])) : null!,
                "rampingInject" => Args(y, args, "rate", "interval", "during") is var e ? new LoadSimulation.RampingInject(y.Int(e["rate"], 0), Interval(y, e["interval"]), y.Duration(e["during"])) : null!,
                "injectRandom" => Args(y, args, "minRate", "maxRate", "interval", "during") is var f ? new LoadSimulation.InjectRandom(y.Int(f["minRate"], 0), y.Int(f["maxRate"], 0), Interval(y, f["interval"]), y.Duration(f["during"])) : null!,
                "iterationsForInject" => Args(y, args, "rate", "interval", "iterations") is var g ? new LoadSimulation.IterationsForInject(y.Int(g["rate"], 1), Interval(y, g["interval"]), y.Int(g["iterations"], 1)) : null!,
                "pause" => new LoadSimulation.Pause(y.Duration(args)),
                _ => throw y.Error(keyNode, $"no load simulation '{kind}' (keepConstant, rampingConstant, iterationsForConstant, inject, rampingInject, injectRandom, iterationsForInject, pause)"),
            };
            if (phase is LoadSimulation.InjectRandom { MinRate: var min, MaxRate: var max } && min > max)
                throw y.Error(item, $"injectRandom's minRate {min} is above its maxRate {max}");
            if (phase.IsOpen is { } isOpen)
            {
                if (open is { } wasOpen && wasOpen != isOpen)
                    throw y.Error(keyNode, $"'{kind}' is a{(isOpen ? "n open" : " closed")} simulation after {(wasOpen ? "open" : "closed")} ones: a scenario is open (inject…) or closed (…Constant), not both");
                open = isOpen;
            }
            phases.Add(phase);
        }
        if (phases.Count == 0) throw y.Error(node, "'load' lists no simulation");
        return phases;
    }

    private static Dictionary<string, YamlNode> Args(StrictYaml y, YamlNode node, params string[] required)
    {
        var args = y.Keys(node, required);
        var missing = required.FirstOrDefault(r => !args.ContainsKey(r));
        if (missing is not null) throw y.Error(node, $"'{missing}' is missing (needs {string.Join(", ", required)})");
        return args;
    }

    private static TimeSpan Interval(StrictYaml y, YamlNode node)
    {
        var interval = y.Duration(node);
        return interval >= TimeSpan.FromMilliseconds(1) ? interval : throw y.Error(node, "interval must be at least 1ms");
    }

    private static double Fraction(StrictYaml y, YamlNode node)
    {
        var text = y.Text(node);
        if (text is "all") return 1;
        if (text is "none") return 0;
        return text.EndsWith('%') && double.TryParse(text[..^1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var p) && p is >= 0 and <= 100
            ? p / 100
            : throw y.Error(node, $"check is all, none or a percentage such as 10%, not '{text}'");
    }
}
