namespace UploadConformance.Scenarios;

public abstract partial record LoadSimulation
{
    /// <summary>Open: the rate moves linearly from the previous phase's rate to <c>Rate</c> over
    /// <c>During</c>.</summary>
    public sealed record RampingInject(int Rate, TimeSpan Interval, TimeSpan Span) : LoadSimulation, ISimulationKind
    {
        public static string Name => "rampingInject";
        public static IReadOnlyList<string> Keys { get; } = ["rate", "interval", "during"];
        public static int Order => 1;

        public static LoadSimulation Parse(SimulationArgs a) =>
            new RampingInject(a.Int("rate", 0), a.Duration("interval"), a.Duration("during"));

        public override bool? IsOpen => true;
        public override TimeSpan? During => Span;
        public override double PeakRatePerSecond => Rate / Interval.TotalSeconds;
        public override string? Problem() => Rate < 0 ? "the rate is too low" : IntervalProblem(Interval);
        public override LoadSimulation Stretched(double factor) => this with { Span = Span * factor };
        public override LoadSimulation RateScaled(double factor) => this with { Rate = Scaled(Rate, factor) };

        public override async Task<PhaseCarry> RunAsync(ILoadDriver driver, PhaseCarry carry,
            CancellationToken cancellationToken)
        {
            var from = carry.Rate;
            await driver.InjectAsync(t => from + (Rate - from) * (t / Span), Interval, Span, null,
                cancellationToken).ConfigureAwait(false);
            return carry with { Rate = Rate };
        }

        public override string ToString() => $"RampingInject(rate: {Rate}, interval: {D(Interval)}, during: {D(Span)})";
    }
}
