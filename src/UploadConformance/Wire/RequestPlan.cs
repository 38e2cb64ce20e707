using UploadConformance.Requests;

namespace UploadConformance.Wire;

/// <summary>A request with every choice made: the fields as encoded, the boundary, the wire options.
/// Scenarios and suites produce plans; the sender only executes them.</summary>
public sealed record RequestPlan
{
    public required UploadRequest Request { get; init; }
    public required FormDataEncoding Encoding { get; init; }
    public required string Boundary { get; init; }
    public WireOptions Wire { get; init; } = new();
    public string Platform { get; init; } = "";

    /// <summary>The formData as encoded. Cached because the load engine builds a body per request, and
    /// keyed on what it was computed from, because a record copied with <c>with</c> carries the cache along.</summary>
    public IReadOnlyList<FormField> Fields
    {
        get
        {
            var cached = _fields;
            if (cached is not null && ReferenceEquals(cached.FormData, Request.FormData)
                && cached.Encoding == Encoding) return cached.Fields;
            var fields = FormDataEncoder.Encode(Request.FormData, Encoding);
            _fields = new EncodedFields(Request.FormData, Encoding, fields);
            return fields;
        }
    }

    private EncodedFields? _fields;

    private sealed record EncodedFields(FormValue.Object FormData, FormDataEncoding Encoding,
        IReadOnlyList<FormField> Fields);

    public MultipartBody BuildBody() =>
        MultipartBody.Create(Boundary, Fields, Request.Files(), Wire.PartOrder, Wire.NameEscaping);

    public static RequestPlan For(UploadRequest request, FormDataEncoding encoding, WireOptions? wire = null,
        int seed = 1, string platform = "")
    {
        wire ??= new WireOptions();
        return new RequestPlan
        {
            Request = request,
            Encoding = encoding,
            Wire = wire,
            Boundary = UploadConformance.Wire.Boundary.Create(wire.BoundaryStyle, new Random(seed),
            wire.CustomBoundary),
            Platform = platform,
        };
    }
}
