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
    /// <summary>Connections to the target at most (HTTP/1.1 sends one request per connection at a time); over
    /// HTTP/2, exactly this many (one by default), each carrying up to <see cref="Streams"/> uploads at once.</summary>
    public int? Connections { get; init; }
    /// <summary>HTTP/2: uploads at once on one connection (h2load's <c>-m</c>); with <see cref="Connections"/> it
    /// bounds the uploads in flight. Null: as many as the server's SETTINGS allow.</summary>
    public int? Streams { get; init; }
    /// <summary>Which HTTP client sends the requests.</summary>
    public ClientKind Client { get; init; } = ClientKind.Auto;
    /// <summary>The flow each iteration runs (a login, a credential, the upload, a confirm), in place of the
    /// profile's; null keeps the profile's.</summary>
    public Targets.Flow? Flow { get; init; }
    /// <summary>The step rows the profile's flow adds (its steps and <c>flow</c>), which thresholds may be scoped
    /// to as well when the scenario has no steps of its own.</summary>
    public IReadOnlyCollection<string> ProfileSteps { get; init; } = [];
    public string? Source { get; init; }

    public bool IsOpen => Load.Any(s => s.IsOpen == true);

    /// <summary>The rules every scenario meets however it was made (YAML or C#), checked before it
    /// sends anything. Each problem names the part of the scenario it is about, so the YAML reader
    /// can point at the line.</summary>
    public IEnumerable<ScenarioProblem> Problems()
    {
        if (Mix.Count == 0) yield return new(ScenarioPart.Mix, -1, "the mix lists no request shape");
        for (var i = 0; i < Mix.Count; i++)
        {
            var shape = Mix[i];
            if (Mix.Take(i).Any(m => m.Name == shape.Name)) yield return new(ScenarioPart.Mix, i,
                "two request shapes share a name");
            if (shape.Problem() is { } problem) yield return new(ScenarioPart.Mix, i,
                $"request shape '{shape.Name}' {problem}");
        }
        if (Mix.Count > 0 && Mix.Sum(m => m.Weight) <= 0) yield return new(ScenarioPart.Mix, -1,
            "the mix's weights add up to 0");
        if (Load.Count == 0) yield return new(ScenarioPart.Load, -1, "the load lists no simulation");
        bool? open = null;
        for (var i = 0; i < Load.Count; i++)
        {
            var phase = Load[i];
            if (phase.Problem() is { } problem) yield return new(ScenarioPart.Load, i, $"{phase}: {problem}");
            if (phase.IsOpen is not { } isOpen) continue;
            if (open is { } wasOpen && wasOpen != isOpen)
                yield return new(ScenarioPart.Load, i,
                    $"'{phase.Kind}' is a{(isOpen ? "n open" : " closed")} simulation after "
                    + $"{(wasOpen ? "open" : "closed")} ones: a scenario is open (inject…) or closed (…Constant), "
                        + $"not both");
            open ??= isOpen;
        }
        for (var i = 0; i < Thresholds.Count; i++)
        {
            // A flow's steps are rows too, and so is the whole flow.
            var names = Mix.Select(m => m.Name).Concat(Flow is null ? ProfileSteps : Rows(Flow)).ToList();
            if (Thresholds[i].Scope is { } scope && !names.Contains(scope))
                yield return new(ScenarioPart.Thresholds, i,
                    $"threshold '{Thresholds[i].Text}' is scoped to '{scope}', "
                    + $"which is not a request name in the mix or a step of the scenario's own steps "
                    + $"({string.Join(", ", names)})");
        }
        if (CheckFraction is < 0 or > 1 || double.IsNaN(CheckFraction)) yield return new(ScenarioPart.Settings, -1,
            $"check is a fraction from 0 to 1, not {CheckFraction}");
        if (MaxInFlight < 1) yield return new(ScenarioPart.Settings, -1, "maxInFlight must be at least 1");
        if (Connections is < 1) yield return new(ScenarioPart.Settings, -1, "connections must be at least 1");
        if (Streams is < 1) yield return new(ScenarioPart.Settings, -1, "streams must be at least 1");
    }

    /// <exception cref="ProfileException">The first rule broken, in one line.</exception>
    /// <summary>The rows a flow adds to a load run: its steps besides the upload, and the whole flow.</summary>
    public static IReadOnlyList<string> Rows(Targets.Flow flow) => flow.IsOnePost ? []
        : [.. flow.Before.Concat(flow.After).Select(s => s.Name), "flow"];

    public Scenario Validate()
    {
        if (Problems().FirstOrDefault() is { } problem) throw new ProfileException(
            $"scenario '{Name}': {problem.Message}");
        return this;
    }

    /// <summary>The phases' timed lengths added up; null when any phase is counted in iterations.</summary>
    public TimeSpan? PlannedDuration =>
        Load.All(p => p.During is not null) ? Load.Aggregate(TimeSpan.Zero, (sum, p) => sum + p.During!.Value) : null;

    /// <summary>The scenario lasting <paramref name="duration"/> in all (<c>--duration</c>): every timed
    /// phase stretched or shrunk in the same proportion, as k6's --duration sets the whole run;
    /// iteration-counted phases run as they are.</summary>
    public Scenario WithDuration(TimeSpan duration)
    {
        var timed = Load.Where(p => p.During is not null).Aggregate(TimeSpan.Zero, (sum, p) => sum + p.During!.Value);
        if (timed <= TimeSpan.Zero)
            throw new ProfileException(
                $"scenario '{Name}' has no timed phase for --duration to set (its phases count iterations)");
        var factor = duration / timed;
        return this with { Load = Load.Select(p => p.During is null ? p : p.Stretched(factor)).ToList() };
    }

    /// <summary>The scenario with its busiest open phase injecting <paramref name="perSecond"/>
    /// iterations a second (<c>--rate</c>) and every other rate scaled alike, so ramps and random
    /// ranges keep their shape; rates round to whole iterations per interval.</summary>
    public Scenario WithPeakRate(double perSecond)
    {
        if (!IsOpen) throw new ProfileException(
            $"--rate applies to open scenarios (inject…); '{Name}' is closed (copies, not a rate)");
        var peak = Load.Max(p => p.PeakRatePerSecond);
        if (peak <= 0) throw new ProfileException(
            $"scenario '{Name}' injects at a rate of 0 everywhere; --rate has nothing to scale");
        var factor = perSecond / peak;
        return this with { Load = Load.Select(p => p.RateScaled(factor)).ToList() };
    }
}

/// <summary>Which part of a scenario a problem is about: the index of the shape, phase or threshold,
/// or -1 for the part as a whole.</summary>
public enum ScenarioPart { Mix, Load, Thresholds, Settings }

public sealed record ScenarioProblem(ScenarioPart Part, int Index, string Message);

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
    /// <summary><c>seed</c> (the article's example), <c>profile</c>, <c>order</c>, <c>chinese</c> or
    /// <c>none</c>.</summary>
    public string FormData { get; init; } = "seed";
    /// <summary>Uploads a user fires at once after chooseImage (1–9; WeChat caps requests in flight at 10).</summary>
    public int Burst { get; init; } = 1;
    public AbortPoint? Abort { get; init; }
    public long? RateCapBytesPerSecond { get; init; }
    public int? TimeoutMs { get; init; }
    public Framing Framing { get; init; } = Framing.ContentLength;

    /// <summary>What is wrong with the shape, finishing "request shape 'x' …"; null when nothing is.</summary>
    public string? Problem()
    {
        if ((Image is null ? 0 : 1) + (Bytes is null ? 0 : 1)
            + (File is null ? 0 : 1) != 1) return "needs exactly one of image, bytes or file";
        if (Image is { } id
            && ImageSpec.All.All(s =>
            s.Id != id)) return $"has no image '{id}' (images: {string.Join(", ", ImageSpec.All.Select(s => s.Id))})";
        if (!(Weight >= 0) || double.IsInfinity(Weight)) return $"has weight {Weight}; a weight is 0 or more";
        if (Burst is < 1 or > 9) return $"has a burst of {Burst}; WeChat allows 1 to 9 uploads at once";
        if (TimeoutMs is <= 0) return $"has a timeout of {TimeoutMs} ms";
        if (RateCapBytesPerSecond is <= 0) return $"has a rate of {RateCapBytesPerSecond} bytes/s";
        return null;
    }
}
