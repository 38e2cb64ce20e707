using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Net;
using UploadConformance.Load;
using UploadConformance.Payloads;
using UploadConformance.Targets;

namespace UploadConformance.Cli;

/// <summary>Every option the verbs share, declared once with its help text and its parser. A value
/// that does not parse is a one-line error naming the option and the value (exit code 2).</summary>
public static class CliOptions
{
    public static Option<Uri?> Target() =>
        Url("--target", "the full upload URL of your server, e.g. http://127.0.0.1:8080/api/upload");

    public static Option<string?> Out() => Text("--out", "dir", "the run folder (default: reports/<timestamp>-<verb>)");

    public static Option<int> Seed() =>
        Int("--seed", "n", "the same seed sends the same requests, byte for byte", fallback: 1, min: 0);

    public static Option<string?> Profile() =>
        Text("--profile", "file.yaml", "your endpoint: field, success rule, echo paths, limits (see profiles/)");

    public static Option<string?> Field(string fallbackHelp) =>
        Text("--field", "name", $"the file's field name, wx.uploadFile's name ({fallbackHelp})");

    /// <summary>How long a target that died may take to come back before the run stops (exit 3).</summary>
    public static Option<TimeSpan?> Recovery() => Duration("--recovery", "time",
        "how long a server that died may take to come back, as a supervisor restarts it (30s; 0 stops the run at "
        + "once)");

    public static TimeSpan RecoveryOrDefault(TimeSpan? given) => given ?? TimeSpan.FromSeconds(30);

    public static Option<string?> Text(string name, string helpName, string description) =>
        new(name) { HelpName = helpName, Description = description };

    /// <summary>A text option that takes one of a few words; its completions are those words.</summary>
    public static Option<string?> Choice(string name, string description, params string[] choices)
    {
        var option = new Option<string?>(name) { HelpName = string.Join('|', choices), Description = description };
        option.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && !choices.Contains(r.Tokens[^1].Value))
                r.AddError($"{name} takes {string.Join(" or ", choices)}, not '{r.Tokens[^1].Value}'");
        });
        option.CompletionSources.Add(choices);
        return option;
    }

    public static Option<bool> Flag(string name, string description) =>
        new(name) { Description = description, Arity = ArgumentArity.Zero };

    public static Option<int> Int(string name, string helpName, string description, int fallback,
        int min = int.MinValue, int max = int.MaxValue) => new(name)
    {
        HelpName = helpName,
        Description = description,
        DefaultValueFactory = _ => fallback,
        CustomParser = r => Parse(r, fallback, text =>
            int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
                ? (v, null)
                : (0, $"{name} takes a whole number from {min} to {max}, not '{text}'")),
    };

    /// <summary>A whole number that has no default: null when not given.</summary>
    public static Option<int?> OptionalInt(string name, string helpName, string description, int min = int.MinValue,
        int max = int.MaxValue) => new(name)
    {
        HelpName = helpName,
        Description = description,
        CustomParser = r => Parse<int?>(r, null, text =>
            int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
                ? (v, null)
                : (null, $"{name} takes a whole number from {min} to {max}, not '{text}'")),
    };

    public static Option<long?> Size(string name, string description) => new(name)
    {
        HelpName = "size",
        Description = description,
        CustomParser = r => Parse<long?>(r, null, text =>
            ByteSize.TryParse(text, out var v, out var problem) ? (v, null) : (null, $"{name}: {problem}")),
    };

    public static Option<Uri?> Url(string name, string description) => new(name)
    {
        HelpName = "url",
        Description = description,
        CustomParser = r => Parse<Uri?>(r, null, text =>
            Uri.TryCreate(text, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
                ? (uri, null)
                : (null, $"{name} takes an http:// or https:// URL, not '{text}'")),
    };

    /// <param name="aboveZero">0 is refused (a run's length), with the value as typed.</param>
    public static Option<TimeSpan?> Duration(string name, string helpName, string description,
        bool aboveZero = false) => new(name)
    {
        HelpName = helpName,
        Description = description,
        CustomParser = r => Parse<TimeSpan?>(r, null, text =>
            StrictYaml.TryDuration(text, out var d) && (!aboveZero || d > TimeSpan.Zero) ? (d, null)
            : (null, $"{name} takes a duration {(aboveZero ? "above 0 " : "")}such as 500ms, 30s or 2m, not '{text}'")),
    };

    /// <summary>k6's execution segment, written i/n: this generator's share of a split run.</summary>
    public static Option<ExecutionSegment?> Segment() => new("--segment")
    {
        HelpName = "i/n",
        Description = "run generator i's share (from 0) of a run split across n generators; merge their results "
            + "with `merge`",
        CustomParser = r => Parse<ExecutionSegment?>(r, null, text =>
            ExecutionSegment.TryParse(text, out var s) ? (s, null)
            : (null, $"--segment takes i/n with i from 0 to n-1, such as 0/4, not '{text}'")),
    };

    public static Option<IPAddress> Address(string name, string description, IPAddress fallback) => new(name)
    {
        HelpName = "ip",
        Description = description,
        DefaultValueFactory = _ => fallback,
        CustomParser = r => Parse(r, fallback, text =>
            IPAddress.TryParse(text, out var ip) ? (ip, null)
            : (fallback, $"{name} takes an IP address such as 127.0.0.1 or ::1, not '{text}'")),
    };

    /// <summary>One value per option, its text checked by <paramref name="convert"/>; a problem becomes
    /// the parse error System.CommandLine reports, in our words.</summary>
    private static T Parse<T>(ArgumentResult result, T fallback, Func<string, (T Value, string? Problem)> convert)
    {
        if (result.Tokens.Count == 0) return fallback;
        var (value, problem) = convert(result.Tokens[^1].Value);
        if (problem is null) return value;
        result.AddError(problem);
        return fallback;
    }
}

/// <summary>The options of a run split across workers that <c>coordinate</c> and <c>k8s</c> share: how
/// many take part, what they run and against what, and the command line's overrides.</summary>
public sealed record SplitRunOptions(Option<int?> Workers, Option<string?> Scenario, Option<Uri?> Target,
    Option<string?> Profile, Option<TimeSpan?> Duration, Option<int?> Rate, Option<int?> Seed)
{
    public static SplitRunOptions Create(string workers)
    {
        var options = new SplitRunOptions(
            CliOptions.OptionalInt("--workers", "n", workers, min: 1, max: 4096),
            CliOptions.Text("--scenario", "file.yaml|name", "the scenario the workers split"),
            CliOptions.Target(),
            CliOptions.Profile(),
            CliOptions.Duration("--duration", "time", "the whole run's length (as load --duration)", aboveZero: true),
            CliOptions.OptionalInt("--rate", "n", "iterations a second at the busiest phase, for the whole cluster",
                min: 1),
            CliOptions.OptionalInt("--seed", "n", "overrides the scenario's seed", min: 0));
        options.Workers.Required = options.Scenario.Required = options.Target.Required = true;
        return options;
    }

    public IEnumerable<Option> All => [Workers, Scenario, Target, Profile, Duration, Rate, Seed];

    /// <summary>The split run the command line describes, its files read once and its scenario checked.
    /// The profile is only read: its <c>${ENV}</c> values belong to the machines that run it.</summary>
    public (int Workers, Cluster.SplitRun Run, Scenarios.Scenario Scenario) Bind(ParseResult parse)
    {
        var yaml = BuiltInScenarios.Read(parse.GetValue(Scenario)!);
        string? profileYaml = null;
        if (parse.GetValue(Profile) is { } path)
        {
            try
            {
                profileYaml = File.ReadAllText(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"{path}: cannot read the profile: {e.Message}");
            }
        }
        var overrides =
            new Scenarios.ScenarioOverrides(parse.GetValue(Duration), parse.GetValue(Rate), parse.GetValue(Seed));
        var run = new Cluster.SplitRun(yaml.Text, yaml.Source, parse.GetValue(Target)!.ToString(), profileYaml,
            parse.GetValue(Profile), overrides);
        return (parse.GetValue(Workers)!.Value, run, Commands.LoadCommand.Prepare(yaml, overrides,
            Commands.LoadCommand.ProfileSteps(parse.GetValue(Profile))));
    }
}
