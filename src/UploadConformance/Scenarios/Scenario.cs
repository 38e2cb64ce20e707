using UploadConformance.Requests;
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
