using System.Text;

namespace UploadConformance.Wire;

/// <summary>A request written byte for byte, for the malformed forms HttpClient refuses to send:
/// headers go out verbatim and in order, and Content-Length says whatever the case wants it to.</summary>
public sealed record RawRequest
{
    public string Method { get; init; } = "POST";
    public required IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; }
    public required RawBody Body { get; init; }
    /// <summary>Write the body this many bytes at a time, flushing each (a body arriving in tiny chunks).</summary>
    public int? WriteChunkBytes { get; init; }
    /// <summary>After the headers, wait this long for an early final answer before sending the body
    /// (how a client honours <c>Expect: 100-continue</c>).</summary>
    public TimeSpan? WaitBeforeBody { get; init; }
    /// <summary>Shut down the sending side after the body, so a server waiting for more bytes sees EOF.</summary>
    public bool HalfCloseAfterBody { get; init; }

    /// <summary>A multipart POST with an honest Content-Length unless <paramref name="contentLength"/> says
    /// otherwise.</summary>
    public static RawRequest Multipart(string contentType, byte[] body, long? contentLength = null,
        params KeyValuePair<string, string>[] extraHeaders) => new()
    {
        Headers = [new("Content-Type", contentType),
            new("Content-Length",
            (contentLength ?? body.Length).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            .. extraHeaders],
        Body = RawBody.Of(body),
    };
}

public sealed class RawBody
{
    private RawBody(long length, Func<Stream, CancellationToken, Task> write)
    {
        Length = length;
        Write = write;
    }

    public long Length { get; }
    public Func<Stream, CancellationToken, Task> Write { get; }

    public static RawBody Of(byte[] bytes) => new(bytes.Length, (s, ct) => s.WriteAsync(bytes, ct).AsTask());

    public static RawBody Of(string text) => Of(Encoding.UTF8.GetBytes(text));

    /// <summary>A large body from repeated pieces (megabytes of CRLF, thousands of parts) without holding it.</summary>
    public static RawBody Repeated(byte[] head, byte[] piece, long count, byte[] tail) => new(
        head.Length + piece.Length * count + tail.Length,
        async (s, ct) =>
        {
            await s.WriteAsync(head, ct).ConfigureAwait(false);
            const int batch = 64 * 1024;
            var block = new byte[Math.Max(piece.Length, batch / Math.Max(1, piece.Length) * piece.Length)];
            var perBlock = block.Length / piece.Length;
            for (var i = 0; i < perBlock; i++) piece.CopyTo(block, i * piece.Length);
            for (long left = count; left > 0; left -= perBlock)
                await s.WriteAsync(block.AsMemory(0, (int)Math.Min(left, perBlock) * piece.Length),
                    ct).ConfigureAwait(false);
            await s.WriteAsync(tail, ct).ConfigureAwait(false);
        });
}
