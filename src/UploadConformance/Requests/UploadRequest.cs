using UploadConformance.Payloads;

namespace UploadConformance.Requests;

/// <summary>One file part: what <c>filePath</c> points at, and how the client labels it on the wire.</summary>
public sealed record UploadFile(IPayload Payload, string FileName, string ContentType);

/// <summary>The options of one <c>wx.uploadFile</c> call (and its siblings' equivalents).</summary>
public sealed record UploadRequest
{
    public required Uri Url { get; init; }
    /// <summary>The file's field: wx.uploadFile's <c>name</c>.</summary>
    public required string Name { get; init; }
    public required UploadFile File { get; init; }
    /// <summary>More file parts in the same request, as uni-app's <c>files</c> option sends.</summary>
    public IReadOnlyList<UploadFile> ExtraFiles { get; init; } = [];
    public IReadOnlyList<KeyValuePair<string, string>> Header { get; init; } = [];
    public FormValue.Object FormData { get; init; } = new([]);
    /// <summary>Client timeout in milliseconds; WeChat's default and maximum is 60 s.</summary>
    public int? TimeoutMs { get; init; }

    public IEnumerable<(string Field, UploadFile File)> Files()
    {
        yield return (Name, File);
        foreach (var extra in ExtraFiles) yield return (Name, extra);
    }
}
