using UploadConformance.Payloads;
using UploadConformance.Requests;
using UploadConformance.Targets;
using UploadConformance.Wire;

namespace UploadConformance.Scenarios;

/// <summary>A load scenario: a weighted mix of request shapes, a seed, load phases and thresholds.</summary>
public sealed record Scenario
{
    public required string Name { get; init; }
    public int Seed { get; init; } = 1;
    public required IReadOnlyList<RequestShape> Mix { get; init; }
    public required IReadOnlyList<LoadSimulation> Load { get; init; }
    public IReadOnlyList<Threshold> Thresholds { get; init; } = [];
    /// <summary>Stop at the first breached threshold instead of running to the end.</summary>
    public bool AbortOnFail { get; init; }
    /// <summary>Verify the echoed size and sha256 of every response, or a fraction of them.</summary>
    public double CheckFraction { get; init; } = 1;
    /// <summary>Iterations in flight at most; an open phase that finds them all busy counts a drop.</summary>
    public int MaxInFlight { get; init; } = 1000;
    /// <summary>Connections to the target at most (HTTP/1.1 sends one request per connection at a time).</summary>
    public int? Connections { get; init; }
    /// <summary>Which HTTP client sends the requests.</summary>
    public ClientKind Client { get; init; } = ClientKind.Auto;
    public string? Source { get; init; }

    public bool IsOpen => Load.Any(s => s.IsOpen == true);

    /// <summary>The rules the YAML loader enforces, for a scenario however it was made: one built in
    /// C# meets them too before it sends anything.</summary>
    /// <exception cref="ProfileException">The first rule broken, in one line.</exception>
    public Scenario Validate()
    {
        void Fail(string problem) => throw new ProfileException($"scenario '{Name}': {problem}");
        if (Mix.Count == 0) Fail("the mix lists no request shape");
        if (Mix.Select(m => m.Name).Distinct().Count() != Mix.Count) Fail("two request shapes share a name");
        foreach (var shape in Mix)
        {
            if ((shape.Image is null ? 0 : 1) + (shape.Bytes is null ? 0 : 1) + (shape.File is null ? 0 : 1) != 1)
                Fail($"request shape '{shape.Name}' needs exactly one of Image, Bytes or File");
            if (shape.Image is { } id && ImageSpec.All.All(s => s.Id != id))
                Fail($"request shape '{shape.Name}': no image '{id}' (images: {string.Join(", ", ImageSpec.All.Select(s => s.Id))})");
            if (!(shape.Weight >= 0) || double.IsInfinity(shape.Weight)) Fail($"request shape '{shape.Name}' has weight {shape.Weight}; a weight is 0 or more");
            if (shape.Burst is < 1 or > 9) Fail($"request shape '{shape.Name}' has a burst of {shape.Burst}; WeChat allows 1 to 9 uploads at once");
            if (shape.TimeoutMs is <= 0) Fail($"request shape '{shape.Name}' has a timeout of {shape.TimeoutMs} ms");
            if (shape.RateCapBytesPerSecond is <= 0) Fail($"request shape '{shape.Name}' has a rate of {shape.RateCapBytesPerSecond} bytes/s");
        }
        if (Mix.Sum(m => m.Weight) <= 0) Fail("the mix's weights add up to 0");
        if (Load.Count == 0) Fail("the load lists no simulation");
        if (Load.Any(s => s.IsOpen == true) && Load.Any(s => s.IsOpen == false))
            Fail("the load mixes open (inject…) and closed (…Constant) simulations; a scenario is one or the other");
        foreach (var phase in Load)
        {
            var problem = phase switch
            {
                LoadSimulation.KeepConstant { Copies: < 1 } or LoadSimulation.IterationsForConstant { Copies: < 1 } => "copies must be at least 1",
                LoadSimulation.RampingConstant { Copies: < 0 } => "copies cannot be negative",
                LoadSimulation.IterationsForConstant { Iterations: < 1 } or LoadSimulation.IterationsForInject { Iterations: < 1 } => "iterations must be at least 1",
                LoadSimulation.Inject { Rate: < 0 } or LoadSimulation.RampingInject { Rate: < 0 } or LoadSimulation.IterationsForInject { Rate: < 1 } => "the rate is too low",
                LoadSimulation.InjectRandom { MinRate: var min, MaxRate: var max } when min < 0 || min > max => $"minRate {min} and maxRate {max} do not make a range",
                _ when IntervalOf(phase) < TimeSpan.FromMilliseconds(1) => "interval must be at least 1ms",
                _ => null,
            };
            if (problem is not null) Fail($"{phase}: {problem}");
        }
        foreach (var threshold in Thresholds)
        {
            if (threshold.Scope is { } scope && Mix.All(m => m.Name != scope))
                Fail($"threshold '{threshold.Text}' is scoped to '{scope}', which is not a request name in the mix ({string.Join(", ", Mix.Select(m => m.Name))})");
        }
        if (CheckFraction is < 0 or > 1 || double.IsNaN(CheckFraction)) Fail($"check is a fraction from 0 to 1, not {CheckFraction}");
        if (MaxInFlight < 1) Fail("maxInFlight must be at least 1");
        if (Connections is < 1) Fail("connections must be at least 1");
        return this;
    }

    private static TimeSpan? IntervalOf(LoadSimulation phase) => phase switch
    {
        LoadSimulation.Inject p => p.Interval,
        LoadSimulation.RampingInject p => p.Interval,
        LoadSimulation.InjectRandom p => p.Interval,
        LoadSimulation.IterationsForInject p => p.Interval,
        _ => null,
    };
}

/// <summary><see cref="Auto"/>: the lean HTTP/1.1 client for every request it can send as HttpClient
/// would (HTTP/1.1, declared length, no abort or pacing), HttpClient for the rest and for HTTP/2.
/// <see cref="HttpClient"/>: HttpClient for everything, to compare the two.</summary>
public enum ClientKind { Auto, HttpClient }

/// <summary>One kind of request in the mix, e.g. "a compressed JPEG from WeChat on iOS".</summary>
public sealed record RequestShape
{
    public required string Name { get; init; }
    public double Weight { get; init; } = 1;
    /// <summary>An image kind (<c>original</c>, <c>compressed</c>, …) or null for <see cref="Bytes"/>.</summary>
    public string? Image { get; init; }
    public long? Bytes { get; init; }
    /// <summary>…or a file of the user's own, sent as it is.</summary>
    public string? File { get; init; }
    /// <summary>The file part's Content-Type for <see cref="File"/> and <see cref="Bytes"/> payloads.</summary>
    public string? ContentType { get; init; }
    public PlatformProfile Platform { get; init; } = PlatformProfile.WeChat;
    public FormDataEncoding? Encoding { get; init; }
    /// <summary><c>seed</c> (the article's example), <c>profile</c>, <c>order</c>, <c>chinese</c> or <c>none</c>.</summary>
    public string FormData { get; init; } = "seed";
    /// <summary>Uploads a user fires at once after chooseImage (1–9; WeChat caps requests in flight at 10).</summary>
    public int Burst { get; init; } = 1;
    public AbortPoint? Abort { get; init; }
    public long? RateCapBytesPerSecond { get; init; }
    public int? TimeoutMs { get; init; }
    public Framing Framing { get; init; } = Framing.ContentLength;
}
