namespace UploadConformance.Scenarios;

public abstract partial record LoadSimulation
{
    /// <summary>Nothing new starts for <c>During</c>; fits either model. Written <c>pause: 5s</c>.</summary>
    public sealed record Pause(TimeSpan Span) : LoadSimulation, ISimulationKind
    {
        public static string Name => "pause";
        public static IReadOnlyList<string> Keys { get; } = [];
        public static int Order => 20;

        public static LoadSimulation Parse(SimulationArgs a) => new Pause(a.Duration());

        public override bool? IsOpen => null;
        public override TimeSpan? During => Span;
        public override string? Problem() => null;
        public override LoadSimulation Stretched(double factor) => this with { Span = Span * factor };

        public override async Task<PhaseCarry> RunAsync(ILoadDriver driver, PhaseCarry carry,
            CancellationToken cancellationToken)
        {
            await driver.PauseAsync(Span, cancellationToken).ConfigureAwait(false);
            return carry;
        }

        public override string ToString() => $"Pause(during: {D(Span)})";
    }
}
