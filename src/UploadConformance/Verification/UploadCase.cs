using UploadConformance.Requests;
using UploadConformance.Wire;

namespace UploadConformance.Verification;

/// <summary>A case: a stable id, a one-line description, a request plan and what it expects.</summary>
public sealed record UploadCase(string Id, string Suite, string Description, RequestPlan Plan, Expectation Expect);

public sealed record CaseResult
{
    public required string Id { get; init; }
    public required string Suite { get; init; }
    public required string Description { get; init; }
    public required Verdict Verdict { get; init; }
    /// <summary>One line; empty for a pass.</summary>
    public string Reason { get; init; } = "";
    public required RequestSummary Request { get; init; }
    public required OutcomeSummary Outcome { get; init; }
    public IReadOnlyList<Check> Checks { get; init; } = [];
    public double DurationMs { get; init; }
}

public sealed record RequestSummary(
    string Method,
    string Url,
    string Platform,
    string Field,
    IReadOnlyList<FileSummary> Files,
    FormDataEncoding FormDataEncoding,
    int FieldCount,
    string Boundary,
    Framing Framing,
    long BodyBytes,
    int? TimeoutMs,
    string? AbortAt,
    long? RateCapBytesPerSecond)
{
    public static RequestSummary Of(RequestPlan plan)
    {
        var request = plan.Request;
        return new RequestSummary(
            "POST",
            request.Url.ToString(),
            plan.Platform,
            request.Name,
            request.Files().Select(f => new FileSummary(f.File.FileName, f.File.ContentType, f.File.Payload.Length, f.File.Payload.Sha256, f.File.Payload.Description)).ToList(),
            plan.Encoding,
            plan.Fields.Count,
            plan.Boundary,
            plan.Wire.Framing,
            plan.BuildBody().Length,
            request.TimeoutMs,
            plan.Wire.AbortAt?.ToString(),
            plan.Wire.RateCapBytesPerSecond);
    }
}

public sealed record FileSummary(string FileName, string ContentType, long Size, string Sha256, string Payload);

public sealed record OutcomeSummary(string ErrMsg, FailureKind Failure, int? Status, double ElapsedMs, long BytesSent, long BytesExpected, string? BodyExcerpt, string? Error)
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
        o.Error);
}
