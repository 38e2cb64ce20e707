using System.Buffers;
using System.Diagnostics;
using System.Text;
using UploadConformance.Payloads;
using UploadConformance.Requests;

namespace UploadConformance.Wire;

/// <summary>A multipart/form-data body as a list of segments (header bytes, payload streams), so its
/// exact length is known before a byte is sent and it is streamed, never materialised.</summary>
public sealed class MultipartBody
{
    private static readonly byte[] CrLf = "\r\n"u8.ToArray();
    private const int ChunkSize = 64 * 1024;

    private readonly Segment[] _segments;

    private MultipartBody(string boundary, Segment[] segments)
    {
        Boundary = boundary;
        _segments = segments;
        foreach (var s in segments) Length += s.Length;
    }

    public string Boundary { get; }
    public long Length { get; }
    public string ContentType => $"multipart/form-data; boundary={Boundary}";

    public static MultipartBody Create(
        string boundary,
        IReadOnlyList<FormField> fields,
        IEnumerable<(string Field, UploadFile File)> files,
        PartOrder order = PartOrder.FieldsFirst,
        NameEscaping escaping = NameEscaping.Whatwg)
    {
        var segments = new List<Segment>();
        void AddFields()
        {
            foreach (var field in fields)
            {
                segments.Add(new Segment(Encoding.UTF8.GetBytes(
                    $"--{boundary}\r\nContent-Disposition: form-data; "
                    + $"name=\"{Escape(field.Name, escaping)}\"\r\n\r\n{field.Value}\r\n")));
            }
        }
        void AddFiles()
        {
            foreach (var (name, file) in files)
            {
                segments.Add(new Segment(Encoding.UTF8.GetBytes(
                    $"--{boundary}\r\nContent-Disposition: form-data; name=\"{Escape(name, escaping)}\"; "
                    + $"filename=\"{Escape(file.FileName, escaping)}\"\r\nContent-Type: {file.ContentType}\r\n\r\n")));
                segments.Add(new Segment(file.Payload));
                segments.Add(new Segment(CrLf));
            }
        }
        if (order == PartOrder.FieldsFirst) { AddFields(); AddFiles(); }
        else { AddFiles(); AddFields(); }
        segments.Add(new Segment(Encoding.ASCII.GetBytes($"--{boundary}--\r\n")));
        return new MultipartBody(boundary, segments.ToArray());
    }

    public static string Escape(string value, NameEscaping escaping) => escaping switch
    {
        NameEscaping.Whatwg => value.Replace("\"", "%22").Replace("\r", "%0D").Replace("\n", "%0A"),
        NameEscaping.Backslash => value.Replace("\\", "\\\\").Replace("\"", "\\\""),
        _ => value,
    };

    /// <summary>The body in order: literal bytes (part headers, separators) and the payloads between them.</summary>
    public IEnumerable<(ReadOnlyMemory<byte> Bytes, IPayload? Payload)> Segments() =>
        _segments.Select(s => (s.Bytes, s.Payload));

    /// <summary>Writes the body. Memory use is one pooled chunk, whatever the payload size.</summary>
    public async Task WriteToAsync(Stream destination, SendControl? control, CancellationToken cancellationToken)
    {
        var limit = control?.StopAfter ?? long.MaxValue;
        var chunk = control?.RateCapBytesPerSecond is { } rate ? (int)Math.Clamp(rate / 20, 512, ChunkSize) : ChunkSize;
        // The chunk, not the largest one: 10,000 slow uploads in flight hold 10,000 of these at once.
        var buffer = ArrayPool<byte>.Shared.Rent(chunk);
        var filled = 0;
        long sent = 0;
        var clock = Stopwatch.StartNew();

        async ValueTask FlushBuffer()
        {
            if (filled == 0) return;
            if (control?.RateCapBytesPerSecond is { } r)
            {
                // Pace by the schedule, not per chunk, so rounding in one wait never accumulates.
                var due = TimeSpan.FromSeconds((double)(sent + filled) / r) - clock.Elapsed;
                if (due > TimeSpan.Zero) await Task.Delay(due, cancellationToken).ConfigureAwait(false);
            }
            await destination.WriteAsync(buffer.AsMemory(0, filled), cancellationToken).ConfigureAwait(false);
            sent += filled;
            filled = 0;
            control?.Report(sent, Length);
        }

        try
        {
            foreach (var segment in _segments)
            {
                if (segment.Payload is null)
                {
                    var bytes = segment.Bytes;
                    while (!bytes.IsEmpty)
                    {
                        var room = (int)Math.Min(chunk - filled, limit - sent - filled);
                        var take = Math.Min(room, bytes.Length);
                        bytes.Span[..take].CopyTo(buffer.AsSpan(filled));
                        filled += take;
                        bytes = bytes[take..];
                        if (filled == chunk || sent + filled == limit) await FlushBuffer().ConfigureAwait(false);
                        if (sent == limit) break;
                    }
                }
                else
                {
                    await using var stream = segment.Payload.OpenRead();
                    while (sent + filled < limit)
                    {
                        var room = (int)Math.Min(chunk - filled, limit - sent - filled);
                        var read = await stream.ReadAsync(buffer.AsMemory(filled, room),
                            cancellationToken).ConfigureAwait(false);
                        if (read == 0) break;
                        filled += read;
                        if (filled == chunk || sent + filled == limit) await FlushBuffer().ConfigureAwait(false);
                    }
                }
                if (sent == limit) break;
            }
            await FlushBuffer().ConfigureAwait(false);
            if (sent >= limit && limit < Length)
            {
                // The server must really have the first N bytes before the connection goes, or an
                // "abort at 99 %" would be an abort at whatever the socket buffer held.
                await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
                throw new UploadAbortedException(sent, Length);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The whole body in memory; for tests and small bodies only.</summary>
    public async Task<byte[]> ToArrayAsync()
    {
        using var memory = new MemoryStream();
        await WriteToAsync(memory, null, CancellationToken.None).ConfigureAwait(false);
        return memory.ToArray();
    }

    private readonly struct Segment
    {
        public Segment(ReadOnlyMemory<byte> bytes) { Bytes = bytes; Payload = null; Length = bytes.Length; }
        public Segment(IPayload payload) { Bytes = default; Payload = payload; Length = payload.Length; }

        public ReadOnlyMemory<byte> Bytes { get; }
        public IPayload? Payload { get; }
        public long Length { get; }
    }
}

/// <summary>What the sender does besides writing: stop early, pace, and report progress.</summary>
public sealed class SendControl
{
    public long? StopAfter { get; init; }
    public long? RateCapBytesPerSecond { get; init; }
    /// <summary>Called after each chunk leaves, like UploadTask.onProgressUpdate.</summary>
    public Action<long, long>? Progress { get; init; }

    internal void Report(long sent, long expected) => Progress?.Invoke(sent, expected);
}

public sealed class UploadAbortedException(long sent, long expected)
    : IOException($"upload aborted by the client after {sent} of {expected} bytes")
{
    public long BytesSent { get; } = sent;
}
