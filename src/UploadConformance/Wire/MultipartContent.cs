using System.Net;

namespace UploadConformance.Wire;

/// <summary>Hands a <see cref="MultipartBody"/> to HttpClient without buffering it.</summary>
public sealed class MultipartContent : HttpContent
{
    private readonly MultipartBody _body;
    private readonly SendControl? _control;
    private readonly bool _chunked;

    public MultipartContent(MultipartBody body, SendControl? control, bool chunked, string? contentType = null)
    {
        _body = body;
        _control = control;
        _chunked = chunked;
        Headers.TryAddWithoutValidation("Content-Type", contentType ?? body.ContentType);
    }

    public bool AbortedByClient { get; private set; }
    /// <summary><see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> when the body began to go out; 0 if it never
    /// did.</summary>
    public long BodyStartedAt { get; private set; }
    /// <summary>When its last byte was handed to the connection; 0 if it never was.</summary>
    public long BodyEndedAt { get; private set; }
    /// <summary>How often HttpClient began to write the body. More than once means it sent the request again
    /// itself, which it does only for a stream the server never processed (REFUSED_STREAM, or above a GOAWAY's
    /// last stream).</summary>
    public int Serializations { get; private set; }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context,
        CancellationToken cancellationToken)
    {
        BodyStartedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        Serializations++;
        try
        {
            await _body.WriteToAsync(stream, _control, cancellationToken).ConfigureAwait(false);
            BodyEndedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        }
        catch (UploadAbortedException)
        {
            AbortedByClient = true;
            throw;
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _body.Length;
        return !_chunked;
    }
}
