namespace UploadConformance.Scenarios;

/// <summary>One phase of load, with NBomber's names and meaning. Closed phases keep a number of
/// copies (virtual users) looping; open phases inject iterations at a rate whatever the responses
/// do. A scenario is one or the other: mixing them is a configuration error, as in NBomber.</summary>
public abstract record LoadSimulation
{
    public abstract bool? IsOpen { get; }
    /// <summary>How long the phase lasts; null for the iteration-counted ones.</summary>
    public abstract TimeSpan? During { get; }

    /// <summary>Closed: <c>Copies</c> copies loop for <c>During</c>.</summary>
    public sealed record KeepConstant(int Copies, TimeSpan Span) : LoadSimulation
    {
        public override bool? IsOpen => false;
        public override TimeSpan? During => Span;
    }

    /// <summary>Closed: copies move linearly from the previous phase's count to <c>Copies</c> over <c>During</c>.</summary>
    public sealed record RampingConstant(int Copies, TimeSpan Span) : LoadSimulation
    {
        public override bool? IsOpen => false;
        public override TimeSpan? During => Span;
    }

    /// <summary>Closed: <c>Copies</c> copies share <c>Iterations</c> iterations, then the phase ends.</summary>
    public sealed record IterationsForConstant(int Copies, int Iterations) : LoadSimulation
    {
        public override bool? IsOpen => false;
        public override TimeSpan? During => null;
    }

    /// <summary>Open: <c>Rate</c> iterations every <c>Interval</c>, spread evenly, for <c>During</c>.</summary>
    public sealed record Inject(int Rate, TimeSpan Interval, TimeSpan Span) : LoadSimulation
    {
        public override bool? IsOpen => true;
        public override TimeSpan? During => Span;
    }

    /// <summary>Open: the rate moves linearly from the previous phase's rate to <c>Rate</c> over <c>During</c>.</summary>
    public sealed record RampingInject(int Rate, TimeSpan Interval, TimeSpan Span) : LoadSimulation
    {
        public override bool? IsOpen => true;
        public override TimeSpan? During => Span;
    }

    /// <summary>Open: each interval injects a random rate between <c>MinRate</c> and <c>MaxRate</c>.</summary>
    public sealed record InjectRandom(int MinRate, int MaxRate, TimeSpan Interval, TimeSpan Span) : LoadSimulation
    {
        public override bool? IsOpen => true;
        public override TimeSpan? During => Span;
    }

    /// <summary>Open: <c>Rate</c> per <c>Interval</c> until <c>Iterations</c> iterations were injected.</summary>
    public sealed record IterationsForInject(int Rate, TimeSpan Interval, int Iterations) : LoadSimulation
    {
        public override bool? IsOpen => true;
        public override TimeSpan? During => null;
    }

    /// <summary>Nothing new starts for <c>During</c>; fits either model.</summary>
    public sealed record Pause(TimeSpan Span) : LoadSimulation
    {
        public override bool? IsOpen => null;
        public override TimeSpan? During => Span;
    }

    public string Name => GetType().Name;

    /// <summary>As NBomber writes them: <c>Inject(rate: 10, interval: 1s, during: 30s)</c>.</summary>
    public sealed override string ToString() => this switch
    {
        KeepConstant k => $"KeepConstant(copies: {k.Copies}, during: {D(k.Span)})",
        RampingConstant r => $"RampingConstant(copies: {r.Copies}, during: {D(r.Span)})",
        IterationsForConstant i => $"IterationsForConstant(copies: {i.Copies}, iterations: {i.Iterations})",
        Inject i => $"Inject(rate: {i.Rate}, interval: {D(i.Interval)}, during: {D(i.Span)})",
        RampingInject r => $"RampingInject(rate: {r.Rate}, interval: {D(r.Interval)}, during: {D(r.Span)})",
        InjectRandom r => $"InjectRandom(minRate: {r.MinRate}, maxRate: {r.MaxRate}, interval: {D(r.Interval)}, during: {D(r.Span)})",
        IterationsForInject i => $"IterationsForInject(rate: {i.Rate}, interval: {D(i.Interval)}, iterations: {i.Iterations})",
        Pause p => $"Pause(during: {D(p.Span)})",
        _ => Name,
    };

    private static string D(TimeSpan t) =>
        t.TotalMilliseconds < 1000 ? $"{t.TotalMilliseconds:0.###}ms"
        : t.TotalSeconds < 120 ? $"{t.TotalSeconds:0.###}s"
        : t.TotalMinutes < 120 ? $"{t.TotalMinutes:0.###}m"
        : $"{t.TotalHours:0.###}h";
}
