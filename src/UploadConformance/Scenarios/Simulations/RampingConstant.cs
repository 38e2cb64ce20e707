namespace UploadConformance.Scenarios;

public abstract partial record LoadSimulation
{
    /// <summary>Closed: copies move linearly from the previous phase's count to <c>Copies</c> over
    /// <c>During</c>.</summary>
    public sealed record RampingConstant(int Copies, TimeSpan Span) : LoadSimulation, ISimulationKind
    {
        public static string Name => "rampingConstant";
        public static IReadOnlyList<string> Keys { get; } = ["copies", "during"];
        public static int Order => 11;

        public static LoadSimulation Parse(SimulationArgs a) =>
            new RampingConstant(a.Int("copies", 0), a.Duration("during"));

        public override bool? IsOpen => false;
        public override TimeSpan? During => Span;
        public override string? Problem() => Copies < 0 ? "copies cannot be negative" : null;
        public override LoadSimulation Stretched(double factor) => this with { Span = Span * factor };

        public override async Task<PhaseCarry> RunAsync(ILoadDriver driver, PhaseCarry carry,
            CancellationToken cancellationToken)
        {
            var from = carry.Copies;
            await driver.ClosedAsync(t => (int)Math.Round(from + (Copies - from) * (t / Span)), Math.Max(from, Copies),
                Span, null, cancellationToken)
                .ConfigureAwait(false);
            return carry with { Copies = Copies };
        }

        public override string ToString() => $"RampingConstant(copies: {Copies}, during: {D(Span)})";
    }
}
