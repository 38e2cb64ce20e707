using System.Globalization;
using UploadConformance.Targets;

namespace UploadConformance.Scenarios;

/// <summary>The command line's changes to a scenario (<c>--duration</c>, <c>--rate</c>, <c>--seed</c>):
/// applied alike by <c>load</c>, by a coordinator and by each of its workers, and written back as the
/// same arguments where a run is described for another machine (<c>k8s</c>).</summary>
public sealed record ScenarioOverrides(TimeSpan? Duration = null, int? Rate = null, int? Seed = null)
{
    public static readonly ScenarioOverrides None = new();

    /// <summary>The scenario with the overrides applied, checked.</summary>
    /// <exception cref="ProfileException">A duration not above zero, or the first rule the result breaks.</exception>
    public Scenario Apply(Scenario scenario)
    {
        if (Seed is { } seed) scenario = scenario with { Seed = seed };
        if (Duration is { } duration)
        {
            if (duration <= TimeSpan.Zero) throw new ProfileException(
                $"--duration takes a duration above 0, not {duration.TotalMilliseconds:0}ms");
            scenario = scenario.WithDuration(duration);
        }
        if (Rate is { } rate) scenario = scenario.WithPeakRate(rate);
        return scenario.Validate();
    }

    /// <summary>The overrides as the command line that gives them.</summary>
    public IReadOnlyList<string> Arguments()
    {
        var arguments = new List<string>();
        if (Duration is { } d) arguments.AddRange(["--duration", $"{d.TotalMilliseconds:0}ms"]);
        if (Rate is { } r) arguments.AddRange(["--rate", r.ToString(CultureInfo.InvariantCulture)]);
        if (Seed is { } s) arguments.AddRange(["--seed", s.ToString(CultureInfo.InvariantCulture)]);
        return arguments;
    }
}
