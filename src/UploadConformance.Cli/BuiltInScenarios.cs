using UploadConformance.Scenarios;
using UploadConformance.Targets;

namespace UploadConformance.Cli;

/// <summary>The scenarios of scenarios/, built into the tool, so <c>--scenario smoke</c> works where
/// the repository is not (an installed tool); a file of that name, when there is one, wins.</summary>
public static class BuiltInScenarios
{
    private const string Prefix = "scenarios/";

    public static IReadOnlyList<string> Names { get; } = typeof(BuiltInScenarios).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))
        .Select(n => Path.GetFileNameWithoutExtension(n))
        .Order(StringComparer.Ordinal)
        .ToList();

    /// <summary>The default run's load phase: scenarios/smoke.yaml.</summary>
    public static Scenario Smoke() => Load("smoke");

    /// <summary>The file at <paramref name="pathOrName"/>, or else the built-in scenario of that name.</summary>
    /// <exception cref="ProfileException">Neither exists, or the scenario breaks a rule.</exception>
    public static Scenario Load(string pathOrName)
    {
        var (text, source) = Read(pathOrName);
        return ScenarioLoader.Parse(text, source);
    }

    /// <summary>The scenario's YAML and where it came from, as a coordinator hands it to its workers.</summary>
    /// <exception cref="ProfileException">Neither a file nor a built-in scenario of that name exists.</exception>
    public static (string Text, string Source) Read(string pathOrName)
    {
        if (File.Exists(pathOrName) || Path.GetDirectoryName(pathOrName) is { Length: > 0 })
        {
            try
            {
                return (File.ReadAllText(pathOrName), pathOrName);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // scenarios/soak.yaml from outside the clone: the built-in copy is one word away.
                var builtIn = Names.Contains(Path.GetFileNameWithoutExtension(pathOrName))
                    ? $" (a built-in scenario has that name: --scenario {Path.GetFileNameWithoutExtension(pathOrName)})"
                    : "";
                throw new ProfileException(
                    $"{pathOrName}: cannot read the scenario: {e.Message.ReplaceLineEndings(" ").Trim()}{builtIn}");
            }
        }
        var name = Path.GetFileNameWithoutExtension(pathOrName);
        using var stream = typeof(BuiltInScenarios).Assembly.GetManifestResourceStream($"{Prefix}{name}.yaml");
        if (stream is null)
            throw new ProfileException(
                $"{pathOrName}: no such scenario file, and no built-in scenario of that name (built in: "
                + $"{string.Join(", ", Names)})");
        using var reader = new StreamReader(stream);
        return (reader.ReadToEnd(), $"scenarios/{name}.yaml (built in)");
    }
}
