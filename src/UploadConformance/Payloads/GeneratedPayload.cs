namespace UploadConformance.Payloads;

/// <summary>Exactly <see cref="Length"/> pseudo-random bytes from a seed, produced as they are read:
/// sizes up to terabytes cost no memory and no disk, and the same seed gives the same bytes.</summary>
public sealed class GeneratedPayload(long length, ulong seed = 1) : PayloadBase
{
    public override string Description => $"generated {ByteSize.Format(length)} (seed {seed})";
    public override long Length => length;
    public override Stream OpenRead() => new GeneratedStream(length, seed);

    private sealed class GeneratedStream(long length, ulong seed) : PayloadStream(length)
    {
        // splitmix64 over the word index makes every 8-byte word addressable, so Seek is free.
        public override int Read(Span<byte> destination)
        {
            var position = Position;
            var n = (int)Math.Min(destination.Length, Length - position);
            if (n <= 0) return 0;
            var written = 0;
            while (written < n)
            {
                var word = Word((ulong)(position + written) >> 3);
                var within = (int)((position + written) & 7);
                var take = Math.Min(8 - within, n - written);
                for (var i = 0; i < take; i++)
                    destination[written + i] = (byte)(word >> (8 * (within + i)));
                written += take;
            }
            Position = position + n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        private ulong Word(ulong index)
        {
            var z = seed + (index + 1) * 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
