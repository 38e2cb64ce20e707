namespace UploadConformance.Payloads;

/// <summary>A read-only, seekable view of a payload's bytes with a position of its own: what every
/// payload's <see cref="IPayload.OpenRead"/> hands out. A subclass says how to read at a position.</summary>
public abstract class PayloadStream(long length) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => length;

    /// <summary>Where the next read starts; kept within 0 and <see cref="Length"/>.</summary>
    public override long Position { get; set => field = Math.Clamp(value, 0, length); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => Position + offset,
        _ => length + offset,
    };

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
