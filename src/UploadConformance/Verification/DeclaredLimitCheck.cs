using System.Text;
using UploadConformance.Targets;

namespace UploadConformance.Verification;

/// <summary>Which limit a request goes over, of those the profile declares. Every case is graded
/// against them: a 17 MB screenshot to an endpoint declaring 10 MiB expects a limit refusal just as
/// the limits suite's own cases do.</summary>
public static class DeclaredLimitCheck
{
    /// <summary>Over <c>maxFiles</c>, any of these refusals is right.</summary>
    private static readonly int[] TooManyFiles = [400, 413, 422];

    public static Expectation.OverLimit? Over(DeclaredLimits limits, SentUpload sent)
    {
        var tooLarge = new[] { limits.OverLimitStatus, 413 }.Distinct().ToArray();
        if (limits.MaxFiles is { } maxFiles && sent.Files.Count > maxFiles)
            return new(TooManyFiles, "limits.maxFiles", $"{sent.Files.Count} files where {maxFiles} are declared");
        if (limits.MaxFileBytes is { } maxFile
            && sent.Files.Select(f => f.File.Payload.Length).DefaultIfEmpty(0).Max() is var largest
            && largest > maxFile)
            return new(tooLarge, "limits.maxFileBytes", $"a file of {largest} bytes where {maxFile} are declared");
        if (limits.MaxRequestBytes is { } maxRequest && sent.BodyBytes > maxRequest)
            return new(tooLarge, "limits.maxRequestBytes",
                $"a body of {sent.BodyBytes} bytes where {maxRequest} are declared");
        if (limits.MaxParts is { } maxParts && sent.Files.Count + sent.Fields.Count > maxParts)
            return new(tooLarge, "limits.maxParts",
                $"{sent.Files.Count + sent.Fields.Count} parts where {maxParts} are declared");
        if (limits.MaxFieldBytes is { } maxField
            && sent.Fields.Select(f => Encoding.UTF8.GetByteCount(f.Value)).DefaultIfEmpty(0).Max() is var field
            && field > maxField)
            return new(tooLarge, "limits.maxFieldBytes", $"a field of {field} bytes where {maxField} are declared");
        return null;
    }
}
