using System.Diagnostics;

namespace UploadConformance.ReferenceServer;

/// <summary>A request body read no faster than a set rate, as a server on a slow disk or behind a busy
/// pipeline reads: the client's sending phase then shows that rate, less what the buffers between (the two
/// sockets' and Kestrel's pipe) take in ahead of it.</summary>
public sealed class ReadRateStream(Stream inner, long bytesPerSecond) : Stream
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private long _read;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // Small reads keep the pace even: a 64 KiB read at 1 MB/s is 65 ms between them.
        var read = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, Math.Max(1, bytesPerSecond / 16))],
            cancellationToken).ConfigureAwait(false);
        _read += read;
        var due = TimeSpan.FromSeconds((double)_read / bytesPerSecond) - Stopwatch.GetElapsedTime(_started);
        if (due > TimeSpan.Zero) await Task.Delay(due, cancellationToken).ConfigureAwait(false);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _read; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
