namespace UploadConformance.Scenarios;

public abstract partial record LoadSimulation
{
    /// <summary>Open: <c>Rate</c> iterations every <c>Interval</c>, spread evenly, for <c>During</c>.</summary>
    public sealed record Inject(int Rate, TimeSpan Interval, TimeSpan Span) : LoadSimulation, ISimulationKind
    {
        public static string Name => "inject";
        public static IReadOnlyList<string> Keys { get; } = ["rate", "interval", "during"];
        public static int Order => 0;

        public static LoadSimulation Parse(SimulationArgs a) =>
            new Inject(a.Int("rate", 0), a.Duration("interval"), a.Duration("during"));

        public override bool? IsOpen => true;
        public override TimeSpan? During => Span;
        public override double PeakRatePerSecond => Rate / Interval.TotalSeconds;
        public override string? Problem() => Rate < 0 ? "the rate is too low" : IntervalProblem(Interval);
        public override LoadSimulation Stretched(double factor) => this with { Span = Span * factor };
        public override LoadSimulation RateScaled(double factor) => this with { Rate = Scaled(Rate, factor) };

        public override async Task<PhaseCarry> RunAsync(ILoadDriver driver, PhaseCarry carry,
            CancellationToken cancellationToken)
        {
            await driver.InjectAsync(_ => Rate, Interval, Span, null, cancellationToken).ConfigureAwait(false);
            return carry with { Rate = Rate };
        }

        public override string ToString() => $"Inject(rate: {Rate}, interval: {D(Interval)}, during: {D(Span)})";
    }
}
