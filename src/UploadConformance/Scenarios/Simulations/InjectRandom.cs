namespace UploadConformance.Scenarios;

public abstract partial record LoadSimulation
{
    /// <summary>Open: each interval injects a random rate between <c>MinRate</c> and <c>MaxRate</c>,
    /// drawn from the scenario's seed, so every run (and every generator of a distributed run) draws
    /// the same rates.</summary>
    public sealed record InjectRandom(int MinRate, int MaxRate, TimeSpan Interval,
        TimeSpan Span) : LoadSimulation, ISimulationKind
    {
        public static string Name => "injectRandom";
        public static IReadOnlyList<string> Keys { get; } = ["minRate", "maxRate", "interval", "during"];
        public static int Order => 2;

        public static LoadSimulation Parse(SimulationArgs a) =>
            new InjectRandom(a.Int("minRate", 0), a.Int("maxRate", 0), a.Duration("interval"), a.Duration("during"));

        public override bool? IsOpen => true;
        public override TimeSpan? During => Span;
        public override double PeakRatePerSecond => MaxRate / Interval.TotalSeconds;

        public override string? Problem() =>
            MinRate < 0 || MinRate > MaxRate ? $"minRate {MinRate} and maxRate {MaxRate} do not make a range"
            : IntervalProblem(Interval);

        public override LoadSimulation Stretched(double factor) => this with { Span = Span * factor };
        public override LoadSimulation RateScaled(double factor) =>
            this with { MinRate = Scaled(MinRate, factor), MaxRate = Scaled(MaxRate, factor) };

        public override async Task<PhaseCarry> RunAsync(ILoadDriver driver, PhaseCarry carry,
            CancellationToken cancellationToken)
        {
            var random = new Random(driver.Seed);
            await driver.InjectAsync(_ => random.Next(MinRate, MaxRate + 1), Interval, Span, null,
                cancellationToken).ConfigureAwait(false);
            return carry;
        }

        public override string ToString() =>
            $"InjectRandom(minRate: {MinRate}, maxRate: {MaxRate}, interval: {D(Interval)}, during: {D(Span)})";
    }
}
