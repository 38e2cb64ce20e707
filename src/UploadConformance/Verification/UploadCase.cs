using System.ComponentModel;
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
    /// <param name="Changes">What the case changes in the upload its flow built (a signature corrupted, a
    /// token removed); none for a plain upload.</param>
    public sealed record Planned(RequestPlan Plan, IReadOnlyList<Flows.FlowChange>? Changes = null) : CaseRequest;
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

[Description("One case's verdict with its evidence.")]
public sealed record CaseResult
{
    [Description("Stable: `<suite>.<what>`; reports and comparisons key on it.")]
    public required string Id { get; init; }
    [Description("The suite.")]
    public required string Suite { get; init; }
    [Description("One line: what the case sends.")]
    public required string Description { get; init; }
    /// <summary>What the case expected of this target (its declared limits applied), in one sentence.</summary>
    [Description("What the case expected of this target, its declared limits applied, in one sentence.")]
    public string Expectation { get; init; } = "";
    [Description("The verdict by the catalog's rule (suites/README.md).")]
    public required Verdict Verdict { get; init; }
    [Description("For a fail: `soft` for a plain 5xx, `hard` for anything else; null otherwise.")]
    public Severity? Severity { get; init; }
    /// <summary>One line; empty for a pass.</summary>
    [Description("One line for every non-pass; empty for a pass.")]
    public string Reason { get; init; } = "";
    [Description("What was sent.")]
    public required RequestSummary Request { get; init; }
    [Description("What the client saw.")]
    public required OutcomeSummary Outcome { get; init; }
    [Description("The evidence: every comparison made, with both sides.")]
    public IReadOnlyList<Check> Checks { get; init; } = [];
    [Description("How long the case took, checks and health probe included.")]
    public double DurationMs { get; init; }
    /// <summary>The cause this non-pass shares with others (results' <c>causes</c>); null for a pass.</summary>
    [Description("The `causes[].id` this non-pass belongs to; null for a pass.")]
    public int? Cause { get; init; }
    [Description("Set when the server stopped answering after this case.")]
    public CrashRecord? Crash { get; init; }
}

/// <summary>What a case sent. <c>Platform</c>, <c>FormDataEncoding</c>, <c>Boundary</c> and <c>Framing</c>
/// are ours to say only for requests we built from a plan; raw-socket and compound cases describe
/// themselves in <c>Wire</c> and leave them null.</summary>
[Description("A case's request.")]
public sealed record RequestSummary(
    [property: Description("`POST`.")]
    string Method,
    [property: Description("Where it went.")]
    string Url,
    [property: Description("`wechat`, `wechat-legacy`, `alipay`, `uniapp-h5` or `taro-h5`; null for raw-socket and "
        + "compound cases.")]
    string? Platform,
    [property: Description("The file's field name; empty for compound cases.")]
    string Field,
    [property: Description("The file parts.")]
    IReadOnlyList<FileSummary> Files,
    [property: Description("How nested formData became fields; null for raw-socket and compound cases.")]
    FormDataEncoding? FormDataEncoding,
    [property: Description("Text fields sent.")]
    int FieldCount,
    [property: Description("The multipart boundary; null for raw-socket and compound cases.")]
    string? Boundary,
    [property: Description("Content-Length or chunked; null for raw-socket and compound cases.")]
    Framing? Framing,
    [property: Description("Body length in bytes (0 for compound cases).")]
    long BodyBytes,
    [property: Description("The client timeout.")]
    int? TimeoutMs,
    [property: Description("Where the client aborts (`50 %`, `1048576 B`), or null.")]
    string? AbortAt,
    [property: Description("A slow link's rate, or null.")]
    long? RateCapBytesPerSecond,
    [property: Description("For raw-socket and compound cases: what was sent, in words.")]
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

[Description("One file part.")]
public sealed record FileSummary(
    [property: Description("The filename sent.")]
    string FileName,
    [property: Description("The part's Content-Type.")]
    string ContentType,
    [property: Description("Bytes.")]
    long Size,
    [property: Description("SHA-256 of the bytes, hex.")]
    string Sha256,
    [property: Description("What the bytes are: an image kind, a generated payload, a file.")]
    string Payload)
{
    public static FileSummary Of(UploadFile file) =>
        new(file.FileName, file.ContentType, file.Payload.Length, file.Payload.Sha256, file.Payload.Description);
}

[Description("What the client saw, in wx.uploadFile's terms.")]
public sealed record OutcomeSummary(
    [property: Description("`uploadFile:ok`, or `uploadFile:fail timeout`, `abort`, `connection refused`, `socket "
        + "closed`, ….")]
    string ErrMsg,
    [property: Description("Why there was no answer; `none` when there was one, whatever its status.")]
    FailureKind Failure,
    [property: Description("The HTTP status; null when there was no answer.")]
    int? Status,
    [property: Description("From the call to the answer's end.")]
    double ElapsedMs,
    [property: Description("Body bytes that left.")]
    long BytesSent,
    [property: Description("Body bytes the request had.")]
    long BytesExpected,
    [property: Description("The answer's first 2,000 characters, as the server sent them (escaped in every report).")]
    string? BodyExcerpt,
    [property: Description("The one-line cause when the request failed.")]
    string? Error,
    [property: Description("The answer's Content-Type.")]
    string? ContentType = null,
    [property: Description("The protocol the answer came over: `HTTP/1.1` or `HTTP/2.0`.")]
    string? Protocol = null)
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
