namespace UploadConformance.Scenarios;

public abstract partial record LoadSimulation
{
    /// <summary>Open: <c>Rate</c> per <c>Interval</c> until <c>Iterations</c> iterations were injected.</summary>
    public sealed record IterationsForInject(int Rate, TimeSpan Interval,
        int Iterations) : LoadSimulation, ISimulationKind
    {
        public static string Name => "iterationsForInject";
        public static IReadOnlyList<string> Keys { get; } = ["rate", "interval", "iterations"];
        public static int Order => 3;

        public static LoadSimulation Parse(SimulationArgs a) =>
            new IterationsForInject(a.Int("rate", 1), a.Duration("interval"), a.Int("iterations", 1));

        public override bool? IsOpen => true;
        public override TimeSpan? During => null;
        public override double PeakRatePerSecond => Rate / Interval.TotalSeconds;

        public override string? Problem() =>
            Iterations < 1 ? "iterations must be at least 1" : Rate < 1 ? "the rate is too low"
            : IntervalProblem(Interval);

        public override LoadSimulation RateScaled(double factor) =>
            this with { Rate = Math.Max(1, Scaled(Rate, factor)) };

        public override async Task<PhaseCarry> RunAsync(ILoadDriver driver, PhaseCarry carry,
            CancellationToken cancellationToken)
        {
            await driver.InjectAsync(_ => Rate, Interval, TimeSpan.MaxValue, Iterations,
                cancellationToken).ConfigureAwait(false);
            return carry with { Rate = Rate };
        }

        public override string ToString() =>
            $"IterationsForInject(rate: {Rate}, interval: {D(Interval)}, iterations: {Iterations})";
    }
}
