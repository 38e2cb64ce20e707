using UploadConformance.Requests;
using UploadConformance.Wire;

namespace UploadConformance.Verification;

/// <summary>A case: a stable id, a one-line description, what to send and what it expects.</summary>
public sealed record UploadCase(string Id, string Suite, string Description, CaseRequest Request, Expectation Expect)
{
    public UploadCase(string id, string suite, string description, RequestPlan plan, Expectation expect)
        : this(id, suite, description, new CaseRequest.Planned(plan), expect) { }

    /// <summary>Can hurt a server (malformed or hostile input).</summary>
    public bool CanHurt { get; init; }

    /// <summary>Whether a correct client may send this request; a well-formed one deserves an answer.</summary>
    public RequestForm Form { get; init; } = RequestForm.WellFormed;

    /// <summary>Checks beside the expectation that can only lower the verdict.</summary>
    public IReadOnlyList<ExtraCheck> Extra { get; init; } = [];

    /// <summary>The expectation in words when the case says it itself (several uploads); else the
    /// expectation's own sentence.</summary>
    public string? Sentence { get; init; }

    /// <summary>The expectation as one sentence, with the extra checks.</summary>
    public string ExpectationText(Expectation effective) =>
        (Sentence ?? effective.Sentence) + string.Concat(Extra.Select(e => $"; {e.Describes}"));
}

/// <summary>What a case sends: a request plan through HttpClient, raw bytes through a socket, or several
/// uploads (concurrent ones, the same one twice), each graded as stored exactly.</summary>
public abstract record CaseRequest
{
    public sealed record Planned(RequestPlan Plan) : CaseRequest;
    public sealed record Raw(RawRequest Request, string What, IPlannedFiles? Files = null) : CaseRequest;
    /// <summary>Several labelled uploads, one after another or <paramref name="AtOnce"/>; with
    /// <paramref name="NoteSameUrl"/>, a pass says whether the answers name one stored file.</summary>
    public sealed record Several(IReadOnlyList<(string Label, RequestPlan Plan)> Uploads, bool AtOnce = false,
        bool NoteSameUrl = false) : CaseRequest;
}

/// <summary>The files and fields a raw request carries, for verifying what the server stored.</summary>
public interface IPlannedFiles
{
    IReadOnlyList<(string Field, UploadFile File)> Files { get; }
    IReadOnlyList<FormField> Fields { get; }
}

public sealed record PlannedFiles(IReadOnlyList<(string Field, UploadFile File)> Files,
    IReadOnlyList<FormField> Fields) : IPlannedFiles;

public sealed record CaseResult
{
    public required string Id { get; init; }
    public required string Suite { get; init; }
    public required string Description { get; init; }
    /// <summary>What the case expected of this target (its declared limits applied), in one sentence.</summary>
    public string Expectation { get; init; } = "";
    public required Verdict Verdict { get; init; }
    public Severity? Severity { get; init; }
    /// <summary>One line; empty for a pass.</summary>
    public string Reason { get; init; } = "";
    public required RequestSummary Request { get; init; }
    public required OutcomeSummary Outcome { get; init; }
    public IReadOnlyList<Check> Checks { get; init; } = [];
    public double DurationMs { get; init; }
    /// <summary>The cause this non-pass shares with others (results' <c>causes</c>); null for a pass.</summary>
    public int? Cause { get; init; }
    /// <summary>Set when the server stopped answering after this case.</summary>
    public CrashRecord? Crash { get; init; }
}

/// <summary>What a case sent. <c>Platform</c>, <c>FormDataEncoding</c>, <c>Boundary</c> and <c>Framing</c>
/// are ours to say only for requests we built from a plan; raw-socket and compound cases describe
/// themselves in <c>Wire</c> and leave them null.</summary>
public sealed record RequestSummary(
    string Method,
    string Url,
    string? Platform,
    string Field,
    IReadOnlyList<FileSummary> Files,
    FormDataEncoding? FormDataEncoding,
    int FieldCount,
    string? Boundary,
    Framing? Framing,
    long BodyBytes,
    int? TimeoutMs,
    string? AbortAt,
    long? RateCapBytesPerSecond,
    string? Wire = null)
{
    public static RequestSummary Of(RequestPlan plan)
    {
        var request = plan.Request;
        return new RequestSummary(
            "POST",
            request.Url.ToString(),
            plan.Platform,
            request.Name,
            request.Files().Select(f => FileSummary.Of(f.File)).ToList(),
            plan.Encoding,
            plan.Fields.Count,
            plan.Boundary,
            plan.Wire.Framing,
            plan.BuildBody().Length,
            request.TimeoutMs,
            plan.Wire.AbortAt?.ToString(),
            plan.Wire.RateCapBytesPerSecond);
    }

    public static RequestSummary OfRaw(Uri url, CaseRequest.Raw raw) => new(
        raw.Request.Method,
        url.ToString(),
        null,
        raw.Files?.Files.FirstOrDefault().Field ?? "",
        raw.Files?.Files.Select(f => FileSummary.Of(f.File)).ToList() ?? [],
        null,
        raw.Files?.Fields.Count ?? 0,
        null,
        null,
        raw.Request.Body.Length,
        null,
        null,
        null,
        raw.What);

    public static RequestSummary OfSeveral(Uri url, string what) =>
        new("POST", url.ToString(), null, "", [], null, 0, null, null, 0, null, null, null, what);
}

public sealed record FileSummary(string FileName, string ContentType, long Size, string Sha256, string Payload)
{
    public static FileSummary Of(UploadFile file) =>
        new(file.FileName, file.ContentType, file.Payload.Length, file.Payload.Sha256, file.Payload.Description);
}

public sealed record OutcomeSummary(string ErrMsg, FailureKind Failure, int? Status, double ElapsedMs, long BytesSent,
    long BytesExpected, string? BodyExcerpt, string? Error, string? ContentType = null, string? Protocol = null)
{
    public const int ExcerptChars = 2000;

    public static OutcomeSummary Of(UploadOutcome o) => new(
        o.ErrMsg,
        o.Failure,
        o.StatusCode,
        Math.Round(o.Elapsed.TotalMilliseconds, 2),
        o.BytesSent,
        o.BytesExpected,
        o.Data is null ? null : o.Data.Length > ExcerptChars ? o.Data[..ExcerptChars] + "…" : o.Data,
        o.Error,
        o.ResponseContentType,
        o.Protocol);

    public static readonly OutcomeSummary None = new("", FailureKind.None, null, 0, 0, 0, null, null);
}
