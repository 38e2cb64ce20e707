namespace UploadConformance.Scenarios;

public abstract partial record LoadSimulation
{
    /// <summary>Closed: <c>Copies</c> copies loop for <c>During</c>.</summary>
    public sealed record KeepConstant(int Copies, TimeSpan Span) : LoadSimulation, ISimulationKind
    {
        public static string Name => "keepConstant";
        public static IReadOnlyList<string> Keys { get; } = ["copies", "during"];
        public static int Order => 10;

        public static LoadSimulation Parse(SimulationArgs a) =>
            new KeepConstant(a.Int("copies", 1), a.Duration("during"));

        public override bool? IsOpen => false;
        public override TimeSpan? During => Span;
        public override string? Problem() => Copies < 1 ? "copies must be at least 1" : null;
        public override LoadSimulation Stretched(double factor) => this with { Span = Span * factor };

        public override async Task<PhaseCarry> RunAsync(ILoadDriver driver, PhaseCarry carry,
            CancellationToken cancellationToken)
        {
            await driver.ClosedAsync(_ => Copies, Copies, Span, null, cancellationToken).ConfigureAwait(false);
            return carry with { Copies = Copies };
        }

        public override string ToString() => $"KeepConstant(copies: {Copies}, during: {D(Span)})";
    }
}
