using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using HdrHistogram;
using HdrHistogram.Utilities;

namespace UploadConformance.Load;

/// <summary>The engine's histogram (<see cref="NameStats.NewHistogram"/>): HdrHistogram's, with its
/// counts reachable by index, so encoding and merging never build a second 190 KB counts array.</summary>
public sealed class MergeableHistogram() : LongHistogram(LowestValue, HighestValue, Digits)
{
    public const long LowestValue = 1;
    public const long HighestValue = 3_600_000_000;
    public const int Digits = 3;

    /// <summary>Counts slots: (buckets + 1) × half a sub-bucket, as HdrHistogram lays them out.</summary>
    public int Slots => (BucketCount + 1) * (SubBucketCount / 2);

    public long CountAt(int index) => GetCountAtIndex(index);

    /// <summary>Adds to a slot's count; the library keeps <c>TotalCount</c> with it.</summary>
    public void AddAt(int index, long count) => AddToCountAtIndex(index, count);
}

/// <summary>HdrHistogram's compressed V2 encoding as base64: what results.json stores, and what split
/// runs merge exactly. The format is the library's (and Java's): a cookie, the compressed length, then
/// zlib around a 40-byte header and the counts as ZigZag LEB128 varints, a run of empty slots written
/// as one negative number. For the engine's own histograms it is written and read here, slot by slot
/// (a merge of an hour of 64 workers reads 460,000 of them); anything else goes through the library.</summary>
public static class HistogramCodec
{
    private const int CompressedCookie = 0x1c849314;
    private const int Cookie = 0x1c849313;
    private const int HeaderBytes = 40;

    public static string Encode(HistogramBase histogram)
    {
        if (histogram is not MergeableHistogram h) return EncodeWithLibrary(histogram);
        var last = h.Slots - 1;
        while (last >= 0 && h.CountAt(last) == 0) last--;
        var payload = new ArrayBufferWriter<byte>(64);
        for (var index = 0; index <= last;)
        {
            var count = h.CountAt(index++);
            if (count != 0)
            {
                WriteVarint(payload, count);
                continue;
            }
            long zeros = 1;
            while (index <= last && h.CountAt(index) == 0)
            {
                zeros++;
                index++;
            }
            WriteVarint(payload, zeros > 1 ? -zeros : 0);
        }
        Span<byte> header = stackalloc byte[HeaderBytes];
        BinaryPrimitives.WriteInt32BigEndian(header, Cookie);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], payload.WrittenCount);
        BinaryPrimitives.WriteInt32BigEndian(header[8..], 0);
        BinaryPrimitives.WriteInt32BigEndian(header[12..], MergeableHistogram.Digits);
        BinaryPrimitives.WriteInt64BigEndian(header[16..], MergeableHistogram.LowestValue);
        BinaryPrimitives.WriteInt64BigEndian(header[24..], MergeableHistogram.HighestValue);
        BinaryPrimitives.WriteDoubleBigEndian(header[32..], 1.0);
        using var compressed = new MemoryStream();
        compressed.Write(stackalloc byte[8]);
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            zlib.Write(header);
            zlib.Write(payload.WrittenSpan);
        }
        var bytes = compressed.GetBuffer().AsSpan(0, (int)compressed.Length);
        BinaryPrimitives.WriteInt32BigEndian(bytes, CompressedCookie);
        BinaryPrimitives.WriteInt32BigEndian(bytes[4..], bytes.Length - 8);
        return Convert.ToBase64String(bytes);
    }

    /// <summary>Adds an encoded histogram into <paramref name="target"/>, exactly as decoding it and
    /// calling <c>Add</c> would.</summary>
    public static void AddTo(LongHistogram target, string base64)
    {
        if (target is not MergeableHistogram h || !TryAddSlots(h, base64)) target.Add(Decode(base64));
    }

    /// <summary>An encoded histogram as one of the engine's, read slot by slot; any other layout through the
    /// library. The library's reader refuses a payload that compresses poorly ("the buffer does not contain the
    /// indicated payload amount": a long run's upload bandwidths, thousands of distinct values), which is why the
    /// engine's own are never handed to it.</summary>
    public static HistogramBase Decode(string base64)
    {
        var histogram = new MergeableHistogram();
        return TryAddSlots(histogram, base64) ? histogram
            : HistogramEncoding.DecodeFromCompressedByteBuffer(ByteBuffer.Allocate(Convert.FromBase64String(base64)),
                0);
    }

    /// <summary>The fast path: false (nothing added) when the encoding is not the engine's layout.</summary>
    private static bool TryAddSlots(MergeableHistogram target, string base64)
    {
        var bytes = Convert.FromBase64String(base64);
        if (bytes.Length < 8 || BinaryPrimitives.ReadInt32BigEndian(bytes) != CompressedCookie) return false;
        var length = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4));
        if (length < 0 || length > bytes.Length - 8) return false;
        using var zlib = new ZLibStream(new MemoryStream(bytes, 8, length), CompressionMode.Decompress);
        var raw = ArrayPool<byte>.Shared.Rent(Math.Max(4096, length * 8));
        try
        {
            var filled = 0;
            int read;
            while ((read = zlib.Read(raw, filled, raw.Length - filled)) > 0)
            {
                filled += read;
                if (filled == raw.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent(raw.Length * 2);
                    raw.AsSpan(0, filled).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(raw);
                    raw = bigger;
                }
            }
            var span = raw.AsSpan(0, filled);
            if (span.Length < HeaderBytes || BinaryPrimitives.ReadInt32BigEndian(span) != Cookie
                || BinaryPrimitives.ReadInt32BigEndian(span[8..]) != 0
                || BinaryPrimitives.ReadInt32BigEndian(span[12..]) != MergeableHistogram.Digits
                || BinaryPrimitives.ReadInt64BigEndian(span[16..]) != MergeableHistogram.LowestValue
                || BinaryPrimitives.ReadInt64BigEndian(span[24..]) != MergeableHistogram.HighestValue) return false;
            var payload = span.Slice(HeaderBytes, Math.Min(BinaryPrimitives.ReadInt32BigEndian(span[4..]),
                span.Length - HeaderBytes));
            // Read every slot first: a malformed one must leave the target untouched.
            var slots = new List<(int Index, long Count)>();
            var index = 0;
            for (var at = 0; at < payload.Length;)
            {
                var value = ReadVarint(payload, ref at);
                if (value < 0) index += (int)Math.Min(-value, int.MaxValue - index);
                else
                {
                    if (index >= target.Slots) return false;
                    if (value > 0) slots.Add((index, value));
                    index++;
                }
            }
            foreach (var (i, count) in slots) target.AddAt(i, count);
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(raw);
        }
    }

    /// <summary>Java's ZigZagEncoding: 7 bits a byte for eight bytes, all eight of a ninth.</summary>
    private static void WriteVarint(ArrayBufferWriter<byte> output, long signed)
    {
        var value = (ulong)((signed << 1) ^ (signed >> 63));
        var span = output.GetSpan(9);
        var n = 0;
        for (; n < 8 && value >= 0x80; n++)
        {
            span[n] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[n++] = (byte)value;
        output.Advance(n);
    }

    private static long ReadVarint(ReadOnlySpan<byte> input, ref int at)
    {
        ulong value = 0;
        var shift = 0;
        for (var n = 0; ; n++)
        {
            var b = input[at++];
            if (n == 8)
            {
                value |= (ulong)b << 56;
                break;
            }
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) break;
            shift += 7;
        }
        return (long)(value >> 1) ^ -(long)(value & 1);
    }

    private static string EncodeWithLibrary(HistogramBase histogram)
    {
        var buffer = ByteBuffer.Allocate(histogram.GetNeededByteBufferCapacity());
        var length = histogram.EncodeIntoCompressedByteBuffer(buffer);
        var bytes = new byte[length];
        buffer.Position = 0;
        for (var i = 0; i < length; i++) bytes[i] = buffer.Get();
        return Convert.ToBase64String(bytes);
    }
}
