using UploadConformance.Scenarios;

namespace UploadConformance.Cli;

/// <summary>scenarios/smoke.yaml, built into the tool: the load phase the default run ends with.</summary>
public static class SmokeScenario
{
    public static Scenario Load()
    {
        using var stream = typeof(SmokeScenario).Assembly.GetManifestResourceStream("smoke.yaml")
            ?? throw new InvalidOperationException("scenarios/smoke.yaml was not built into uc");
        using var reader = new StreamReader(stream);
        return ScenarioLoader.Parse(reader.ReadToEnd(), "scenarios/smoke.yaml (built in)");
    }
}
