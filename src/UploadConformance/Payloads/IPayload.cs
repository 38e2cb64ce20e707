using Microsoft.Win32.SafeHandles;
using System.Security.Cryptography;

namespace UploadConformance.Payloads;

/// <summary>The bytes of one file part. A payload is read as a stream each time it is sent, so a
/// 1 GiB upload never sits in memory and one payload can be shared by every request that sends it.</summary>
public interface IPayload
{
    /// <summary>What this payload is, for reports: "compressed JPEG 1280×960", "generated 1 GiB".</summary>
    string Description { get; }
    long Length { get; }
    Stream OpenRead();
    /// <summary>SHA-256 of the bytes as lowercase hex, computed once and kept.</summary>
    string Sha256 { get; }
}

public abstract class PayloadBase : IPayload
{
    private string? _sha256;

    public abstract string Description { get; }
    public abstract long Length { get; }
    public abstract Stream OpenRead();

    public string Sha256 => _sha256 ??= ComputeSha256();

    private string ComputeSha256()
    {
        using var stream = OpenRead();
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    public override string ToString() => Description;
}

/// <summary>A small payload held in memory: wire tests, empty and one-byte files.</summary>
public sealed class BytesPayload(byte[] bytes, string? description = null) : PayloadBase
{
    public override string Description { get; } = description ?? $"{bytes.Length} bytes";
    public override long Length => bytes.Length;
    public override Stream OpenRead() => new MemoryStream(bytes, writable: false);
}

/// <summary>A file on disk: the user's own, or a cached generated image. One handle, opened on first
/// read and shared by every request that sends the file, read at positions (pread): 10,000 uploads in
/// flight hold 10,000 sockets, not 20,000 descriptors.</summary>
public sealed class FilePayload : PayloadBase
{
    private readonly string _path;
    private readonly Lazy<SafeFileHandle> _handle;

    public FilePayload(string path, string? description = null)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"payload file not found: {path}", path);
        _path = info.FullName;
        Length = info.Length;
        Description = description ?? Path.GetFileName(path);
        _handle = new(() => File.OpenHandle(_path, FileMode.Open, FileAccess.Read, FileShare.Read,
            FileOptions.SequentialScan));
    }

    public string FullPath => _path;
    public override string Description { get; }
    public override long Length { get; }

    public override Stream OpenRead() => new PositionalStream(_handle.Value, Length);

    /// <summary>Reads the shared handle at this stream's own position; disposing it leaves the handle
    /// open for the other readers.</summary>
    private sealed class PositionalStream(SafeFileHandle handle, long length) : PayloadStream(length)
    {
        public override int Read(Span<byte> buffer)
        {
            var read = RandomAccess.Read(handle, buffer, Position);
            Position += read;
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer,
            CancellationToken cancellationToken = default)
        {
            var read = await RandomAccess.ReadAsync(handle, buffer, Position, cancellationToken)
                .ConfigureAwait(false);
            Position += read;
            return read;
        }
    }
}

/// <summary>A payload made on first use: a catalog can name its images without encoding them, so
/// listing cases costs nothing and a filtered run encodes only what it sends.</summary>
public sealed class DeferredPayload(Func<IPayload> make, string description) : IPayload
{
    private readonly Lazy<IPayload> _payload = new(make);

    public string Description { get; } = description;
    public long Length => _payload.Value.Length;
    public Stream OpenRead() => _payload.Value.OpenRead();
    public string Sha256 => _payload.Value.Sha256;
    public override string ToString() => Description;
}
