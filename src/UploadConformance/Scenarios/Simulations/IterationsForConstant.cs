namespace UploadConformance.Scenarios;

public abstract partial record LoadSimulation
{
    /// <summary>Closed: <c>Copies</c> copies share <c>Iterations</c> iterations, then the phase ends.</summary>
    public sealed record IterationsForConstant(int Copies, int Iterations) : LoadSimulation, ISimulationKind
    {
        public static string Name => "iterationsForConstant";
        public static IReadOnlyList<string> Keys { get; } = ["copies", "iterations"];
        public static int Order => 12;

        public static LoadSimulation Parse(SimulationArgs a) =>
            new IterationsForConstant(a.Int("copies", 1), a.Int("iterations", 1));

        public override bool? IsOpen => false;
        public override TimeSpan? During => null;
        public override string? Problem() => Copies < 1 ? "copies must be at least 1" : Iterations < 1
            ? "iterations must be at least 1" : null;

        public override async Task<PhaseCarry> RunAsync(ILoadDriver driver, PhaseCarry carry,
            CancellationToken cancellationToken)
        {
            await driver.ClosedAsync(_ => Copies, Copies, TimeSpan.MaxValue, Iterations,
                cancellationToken).ConfigureAwait(false);
            return carry with { Copies = Copies };
        }

        public override string ToString() => $"IterationsForConstant(copies: {Copies}, iterations: {Iterations})";
    }
}
