using UploadConformance.Requests;
using UploadConformance.Wire;

namespace UploadConformance.Verification;

/// <summary>What a request carried, for comparing with what the server says it stored.</summary>
public sealed record SentUpload(IReadOnlyList<(string Field, UploadFile File)> Files, IReadOnlyList<FormField> Fields,
    NameEscaping Escaping,
    FormDataEncoding? Encoding = null, long BodyBytes = 0)
{
    public static SentUpload Of(RequestPlan plan) =>
        new(plan.Request.Files().ToList(), plan.Fields, plan.Wire.NameEscaping, plan.Encoding, plan.BuildBody().Length);

    /// <summary>A raw request's files and fields as its case declares them (raw bodies escape names as
    /// WHATWG does), or only its size.</summary>
    public static SentUpload Of(CaseRequest.Raw raw) => raw.Files is null
        ? Nothing with { BodyBytes = raw.Request.Body.Length }
        : Of(raw.Files) with { BodyBytes = raw.Request.Body.Length };

    public static SentUpload Of(IPlannedFiles files) => new(files.Files, files.Fields, NameEscaping.Whatwg);

    public static readonly SentUpload Nothing = new([], [], NameEscaping.Whatwg);

    public bool Verifiable => Files.Count > 0;

    /// <summary>What the upload's flow knew (the stored key, captured values): where the file is fetched back
    /// from, by the profile's <c>fetch</c> template.</summary>
    public IReadOnlyDictionary<string, string>? Values { get; init; }
}
