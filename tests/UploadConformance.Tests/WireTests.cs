using System.Security.Cryptography;
using UploadConformance.Payloads;
using UploadConformance.Requests;
using UploadConformance.Wire;

namespace UploadConformance.Tests;

public class WireTests
{
    private static MultipartBody BodyWith(IPayload payload) =>
        MultipartBody.Create("b", [new FormField("id", "1")],
        [("images", new UploadFile(payload, "x.bin", "application/octet-stream"))]);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(65_535)]
    [InlineData(65_536)]
    [InlineData(1_000_003)]
    public async Task The_length_announced_up_front_is_the_length_written(int size)
    {
        var body = BodyWith(new GeneratedPayload(size, 3));
        var counter = new CountingStream();
        await body.WriteToAsync(counter, null, CancellationToken.None);
        Assert.Equal(body.Length, counter.Written);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(10L)]
    [InlineData(70_000L)]
    public async Task Stopping_after_N_bytes_sends_exactly_N_then_reports_an_abort(long stopAfter)
    {
        var body = BodyWith(new GeneratedPayload(200_000, 3));
        var counter = new CountingStream();
        var e = await Assert.ThrowsAsync<UploadAbortedException>(() =>
            body.WriteToAsync(counter, new SendControl { StopAfter = stopAfter }, CancellationToken.None));
        Assert.Equal(stopAfter, counter.Written);
        Assert.Equal(stopAfter, e.BytesSent);
    }

    [Fact]
    public void An_abort_point_resolves_fractions_against_the_body_length()
    {
        Assert.Equal(500, AbortPoint.AtFraction(0.5).Resolve(1000));
        Assert.Equal(990, AbortPoint.AtFraction(0.99).Resolve(1000));
        Assert.Equal(7, AbortPoint.AfterBytes(7).Resolve(1000));
    }

    [Fact]
    public async Task Progress_rises_monotonically_to_the_full_length()
    {
        var body = BodyWith(new GeneratedPayload(300_000, 3));
        var seen = new List<(long Sent, long Expected)>();
        await body.WriteToAsync(Stream.Null, new SendControl { Progress = (s, e) => seen.Add((s, e)) },
            CancellationToken.None);
        Assert.True(seen.Count > 1);
        Assert.All(seen, p => Assert.Equal(body.Length, p.Expected));
        Assert.Equal(seen.Select(p => p.Sent).Order(), seen.Select(p => p.Sent));
        Assert.Equal(body.Length, seen[^1].Sent);
    }

    [Fact]
    public async Task A_generated_payload_is_the_same_bytes_however_it_is_read()
    {
        var payload = new GeneratedPayload(100_001, 9);
        var whole = new byte[payload.Length];
        await using (var s = payload.OpenRead()) s.ReadExactly(whole);
        var pieces = new MemoryStream();
        await using (var s = payload.OpenRead())
        {
            var buffer = new byte[7];
            int read;
            while ((read = s.Read(buffer, 0, buffer.Length)) > 0) pieces.Write(buffer, 0, read);
        }
        Assert.Equal(whole, pieces.ToArray());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(whole)), payload.Sha256);
        Assert.NotEqual(payload.Sha256, new GeneratedPayload(100_001, 10).Sha256);
    }

    [Theory]
    [InlineData("1500", 1500L)]
    [InlineData("200KiB", 204_800L)]
    [InlineData("5MiB", 5_242_880L)]
    [InlineData("5MB", 5_000_000L)]
    [InlineData("10 MB", 10_000_000L)]
    [InlineData("100kB", 100_000L)]
    [InlineData("1.5KiB", 1536L)]
    [InlineData("1GiB", 1_073_741_824L)]
    public void Sizes_parse_in_the_units_written_SI_or_binary(string text, long expected)
    {
        Assert.True(ByteSize.TryParse(text, out var bytes));
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("MB")]
    [InlineData("5XB")]
    [InlineData("-5MB")]
    [InlineData("0.5B")]
    public void Nonsense_sizes_are_refused(string text) => Assert.False(ByteSize.TryParse(text, out _));

    [Theory]
    [InlineData("200k", "write KiB or kB")]
    [InlineData("10m", "write MiB or MB")]
    public void A_bare_k_m_or_g_is_refused_as_ambiguous(string text, string hint)
    {
        Assert.False(ByteSize.TryParse(text, out _, out var problem));
        Assert.Contains(hint, problem);
    }

    private sealed class CountingStream : Stream
    {
        public long Written { get; private set; }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => Written;
        public override long Position { get => Written; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Written += count;
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Written += buffer.Length;
            return ValueTask.CompletedTask;
        }
    }
}
