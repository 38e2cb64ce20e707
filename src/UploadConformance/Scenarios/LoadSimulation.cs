using System.Globalization;
using System.Reflection;

namespace UploadConformance.Scenarios;

/// <summary>One phase of load, with NBomber's names and meaning. Closed phases keep a number of
/// copies (virtual users) looping; open phases inject iterations at a rate whatever the responses
/// do. A scenario is one or the other: mixing them is a configuration error, as in NBomber.
/// Each simulation is one file under Simulations/ holding its YAML grammar, its rules, its
/// description and its schedule (after k6's lib/executor); this file is what they share.</summary>
public abstract partial record LoadSimulation
{
    /// <summary>True for open (injecting) phases, false for closed ones, null for a pause (either).</summary>
    public abstract bool? IsOpen { get; }

    /// <summary>How long the phase lasts; null for the iteration-counted ones.</summary>
    public abstract TimeSpan? During { get; }

    /// <summary>What is wrong with the phase's values, in a few words; null when nothing is.</summary>
    public abstract string? Problem();

    /// <summary>The same phase lasting <paramref name="factor"/> times as long (<c>--duration</c>).</summary>
    public virtual LoadSimulation Stretched(double factor) => this;

    /// <summary>The highest rate the phase injects, in iterations a second; 0 for closed phases.</summary>
    public virtual double PeakRatePerSecond => 0;

    /// <summary>The same phase with every rate times <paramref name="factor"/>, rounded to whole
    /// iterations per interval (<c>--rate</c>).</summary>
    public virtual LoadSimulation RateScaled(double factor) => this;

    /// <summary>Runs the phase on the engine's open or closed driver.</summary>
    /// <param name="carry">Where the previous phase left the rate and copies (a ramp starts there).</param>
    /// <returns>Where this phase leaves them.</returns>
    public abstract Task<PhaseCarry> RunAsync(ILoadDriver driver, PhaseCarry carry,
        CancellationToken cancellationToken);

    /// <summary>The YAML key, as NBomber names the simulation in camelCase.</summary>
    public string Kind => Kinds.Single(k => k.Type == GetType()).Name;

    /// <summary>As NBomber writes them: <c>Inject(rate: 10, interval: 1s, during: 30s)</c>.</summary>
    public abstract override string ToString();

    /// <summary>Every simulation: the nested records that implement <see cref="ISimulationKind"/>.</summary>
    public static IReadOnlyList<SimulationKind> Kinds { get; } = typeof(LoadSimulation)
        .GetNestedTypes(BindingFlags.Public)
        .Where(t => t.IsAssignableTo(typeof(ISimulationKind)) && !t.IsAbstract)
        .Select(SimulationKind.Of)
        .OrderBy(k => k.Order)
        .ToList();

    protected static string D(TimeSpan t) =>
        t.TotalMilliseconds < 1000 ? $"{t.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture)}ms"
        : t.TotalSeconds < 120 ? $"{t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)}s"
        : t.TotalMinutes < 120 ? $"{t.TotalMinutes.ToString("0.###", CultureInfo.InvariantCulture)}m"
        : $"{t.TotalHours.ToString("0.###", CultureInfo.InvariantCulture)}h";

    protected static string? IntervalProblem(TimeSpan interval) => interval < TimeSpan.FromMilliseconds(1)
        ? "interval must be at least 1ms" : null;

    protected static int Scaled(int rate, double factor) =>
        (int)Math.Round(rate * factor, MidpointRounding.AwayFromZero);
}

/// <summary>What a simulation file declares about itself for the YAML reader.</summary>
public interface ISimulationKind
{
    /// <summary>The YAML key: <c>inject</c>, <c>keepConstant</c>, ….</summary>
    static abstract string Name { get; }

    /// <summary>The keys its mapping takes, all required; empty when it takes a single value.</summary>
    static abstract IReadOnlyList<string> Keys { get; }

    /// <summary>Where it stands in lists and help: open ones, closed ones, then pause.</summary>
    static abstract int Order { get; }

    static abstract LoadSimulation Parse(SimulationArgs args);
}

/// <summary>A simulation kind as the reader uses it.</summary>
public sealed record SimulationKind(string Name, IReadOnlyList<string> Keys, int Order, Type Type,
    Func<SimulationArgs, LoadSimulation> Parse)
{
    public static SimulationKind Of(Type type)
    {
        var method =
            typeof(SimulationKind).GetMethod(nameof(From),
            BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(type);
        return (SimulationKind)method.Invoke(null, null)!;
    }

    private static SimulationKind From<T>() where T : LoadSimulation, ISimulationKind =>
        new(T.Name, T.Keys, T.Order, typeof(T), T.Parse);
}

/// <summary>Where one phase leaves the load for the next: ramps start from the previous rate or copies.</summary>
public readonly record struct PhaseCarry(double Rate, int Copies);

/// <summary>The engine's two ways of making load, which every simulation drives. Open phases give a
/// rate per interval; closed phases give a number of copies. The driver keeps time, starts and
/// counts iterations, and (in a distributed run) sends only its own share of them.</summary>
public interface ILoadDriver
{
    /// <summary>The scenario's seed: a random simulation draws from it, so every run draws the same.</summary>
    int Seed { get; }

    /// <summary>Injects <paramref name="rateAt"/>(offset) iterations in each <paramref name="interval"/>,
    /// spread evenly, until <paramref name="span"/> has passed or <paramref name="iterations"/> were
    /// injected. <paramref name="rateAt"/> is called once per interval, in order.</summary>
    Task InjectAsync(Func<TimeSpan, double> rateAt, TimeSpan interval, TimeSpan span, long? iterations,
        CancellationToken cancellationToken);

    /// <summary>Keeps <paramref name="copiesAt"/>(offset) copies looping, at most <paramref name="maxCopies"/>,
    /// until <paramref name="span"/> has passed or <paramref name="iterations"/> were run.</summary>
    Task ClosedAsync(Func<TimeSpan, int> copiesAt, int maxCopies, TimeSpan span, long? iterations,
        CancellationToken cancellationToken);

    /// <summary>Starts nothing for <paramref name="span"/>.</summary>
    Task PauseAsync(TimeSpan span, CancellationToken cancellationToken);
}
