using UploadConformance.Scenarios;
using UploadConformance.Targets;

namespace UploadConformance.Cluster;

/// <summary>One run split across workers, described once: the scenario and profile as their text (every
/// machine parses the same bytes), the target, and the command line's overrides. The coordinator hands it
/// to each worker inside its <see cref="Assignment"/>; <c>k8s</c> writes it into a ConfigMap and the
/// coordinator pod's arguments.</summary>
public sealed record SplitRun(string ScenarioYaml, string ScenarioSource, string Target,
    string? ProfileYaml = null, string? ProfileSource = null, ScenarioOverrides? Overrides = null)
{
    public ScenarioOverrides Changes => Overrides ?? ScenarioOverrides.None;

    /// <summary>The scenario every machine runs, overrides applied.</summary>
    /// <exception cref="ProfileException">The scenario or an override is invalid.</exception>
    public Scenario Scenario() => Changes.Apply(ScenarioLoader.Parse(ScenarioYaml, ScenarioSource,
        Scenarios.Scenario.Rows(Profile().Flow)));

    /// <summary>The target as the profile describes it, or the reference server's profile at the URL.</summary>
    /// <exception cref="ProfileException">The profile is invalid.</exception>
    public TargetProfile Profile() => ProfileYaml is { } yaml
        ? ProfileLoader.Parse(yaml, ProfileSource ?? "the coordinator's profile", new Uri(Target))
        : TargetProfile.Reference(new Uri(Target));

    /// <summary>Environment variables the profile's headers name (<c>${UPLOAD_TOKEN}</c>); never their
    /// values.</summary>
    public IReadOnlyList<string> SecretVariables => ProfileYaml is null ? [] : StrictYaml.EnvReferences(ProfileYaml);
}
