namespace UploadConformance.Wire;

/// <summary>Times a TLS handshake that SocketsHttpHandler performs out of our reach: wraps the TCP
/// stream under its SslStream and stops the clock at the first write made only of application-data
/// records (type 23). In TLS 1.2 the client's Finished travels as a handshake record, and in TLS 1.3
/// OpenSSL precedes it with a change-cipher-spec record, so that write is the request itself; where
/// TLS 1.3 runs without that record, it is the client's Finished, which is when the client's part of
/// the handshake ends. Either way the upload's own time is not in it.</summary>
internal sealed class HandshakeClock(Stream inner, Action<TimeSpan> done) : Stream
{
    private readonly long _started = System.Diagnostics.Stopwatch.GetTimestamp();
    private bool _stopped;

    private void Observe(ReadOnlySpan<byte> bytes)
    {
        if (_stopped || bytes.IsEmpty || !OnlyApplicationData(bytes)) return;
        _stopped = true;
        done(System.Diagnostics.Stopwatch.GetElapsedTime(_started));
    }

    private static bool OnlyApplicationData(ReadOnlySpan<byte> bytes)
    {
        while (bytes.Length >= 5)
        {
            if (bytes[0] != 23) return false;
            var length = bytes[3] << 8 | bytes[4];
            if (bytes.Length < 5 + length) return true;
            bytes = bytes[(5 + length)..];
        }
        return bytes.IsEmpty;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Observe(buffer.Span);
        return inner.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Observe(buffer);
        inner.Write(buffer);
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(buffer, cancellationToken);
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.ReadAsync(buffer, offset, count, cancellationToken);
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override int Read(Span<byte> buffer) => inner.Read(buffer);
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
    public override void Flush() => inner.Flush();
    public override bool CanRead => inner.CanRead;
    public override bool CanWrite => inner.CanWrite;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set =>
        throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync() => inner.DisposeAsync();
}
