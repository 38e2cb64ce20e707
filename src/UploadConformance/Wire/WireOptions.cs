namespace UploadConformance.Wire;

public enum Framing { ContentLength, Chunked }

public enum PartOrder { FieldsFirst, FileFirst }

/// <summary>How a quote or line break in a field name or filename is written into Content-Disposition.</summary>
public enum NameEscaping
{
    /// <summary>WHATWG's multipart/form-data encoding: <c>"</c> → <c>%22</c>, CR → <c>%0D</c>, LF →
    /// <c>%0A</c>.</summary>
    Whatwg,
    /// <summary>Quoted-string escaping, <c>\"</c> and <c>\\</c>, as some native clients do.</summary>
    Backslash,
}

/// <summary>Where a client stops sending, like <c>UploadTask.abort()</c> called mid-stream.</summary>
public readonly record struct AbortPoint(long? Bytes, double? Fraction)
{
    public static AbortPoint AfterBytes(long bytes) => new(bytes, null);
    public static AbortPoint AtFraction(double fraction) => new(null, fraction);

    public long Resolve(long bodyLength) =>
        Bytes ?? (long)Math.Floor(bodyLength * Math.Clamp(Fraction ?? 1, 0, 1));

    public override string ToString() => Bytes is { } b ? $"{b} B" : $"{Fraction:P0}";
}

/// <summary>The wire-level choices for one request; everything the scenario did not fix is here.</summary>
public sealed record WireOptions
{
    public BoundaryStyle BoundaryStyle { get; init; } = BoundaryStyle.WebKit;
    public string? CustomBoundary { get; init; }
    public Framing Framing { get; init; } = Framing.ContentLength;
    public PartOrder PartOrder { get; init; } = PartOrder.FieldsFirst;
    public NameEscaping NameEscaping { get; init; } = NameEscaping.Whatwg;
    public AbortPoint? AbortAt { get; init; }
    /// <summary>A Content-Type sent instead of the right one, as developers who set it by hand do
    /// (no boundary, a charset parameter, a quoted boundary, another media type).</summary>
    public string? ContentTypeOverride { get; init; }
    /// <summary>Send <c>Expect: 100-continue</c> and wait for the server's go-ahead.</summary>
    public bool ExpectContinue { get; init; }
    /// <summary>Bytes per second the body may leave at, to mimic a slow mobile link.</summary>
    public long? RateCapBytesPerSecond { get; init; }
}
