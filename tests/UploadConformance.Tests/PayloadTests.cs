using System.Security.Cryptography;
using UploadConformance.Payloads;

namespace UploadConformance.Tests;

/// <summary>A payload file is one handle shared by every reader, each with its own position: 10,000
/// uploads of one photo hold one descriptor for it, not 10,000.</summary>
public class PayloadTests
{
    [Fact]
    public async Task Readers_of_one_file_payload_interleave_and_each_reads_the_whole_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"uc-payload-{Guid.NewGuid():N}.bin");
        var bytes = new byte[200_003];
        new Random(7).NextBytes(bytes);
        await File.WriteAllBytesAsync(path, bytes);
        var payload = new FilePayload(path);
        await using var first = payload.OpenRead();
        await using var second = payload.OpenRead();
        using var a = new MemoryStream();
        using var b = new MemoryStream();
        var buffer = new byte[4096];
        // Alternate reads: a shared position would give each reader every other block.
        while (true)
        {
            var n = await first.ReadAsync(buffer);
            a.Write(buffer, 0, n);
            var m = await second.ReadAsync(buffer);
            b.Write(buffer, 0, m);
            if (n == 0 && m == 0) break;
        }
        Assert.Equal(bytes, a.ToArray());
        Assert.Equal(bytes, b.ToArray());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), payload.Sha256);
        first.Position = 199_999;
        Assert.Equal(4, first.Read(buffer));
        Assert.Equal(bytes[^4..], buffer[..4]);
    }

    [Fact]
    public void A_generated_payload_reads_the_same_bytes_from_any_position()
    {
        var payload = new GeneratedPayload(10_000, seed: 3);
        using var whole = payload.OpenRead();
        var all = new byte[10_000];
        whole.ReadExactly(all);
        using var part = payload.OpenRead();
        part.Seek(4_321, SeekOrigin.Begin);
        var tail = new byte[10_000 - 4_321];
        part.ReadExactly(tail);
        Assert.Equal(all[4_321..], tail);
        Assert.Equal(0, part.Read(new byte[1]));
    }
}
