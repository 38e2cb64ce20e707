using System.Collections.Concurrent;

namespace UploadConformance.ReferenceServer;

public sealed record StoredFile(string Id, string Field, string FileName, string? FileNameStar, string ContentType, long Size, string Sha256, string Path);

/// <summary>Stored uploads and the counters <c>GET /stats</c> reports. A file is written under a
/// <c>.partial</c> name and renamed only once its request completed, so a crash or an abort
/// can never leave something that looks stored.</summary>
public sealed class FileStore : IDisposable
{
    private readonly ConcurrentDictionary<string, StoredFile> _files = new();
    private readonly bool _ownsDirectory;
    private long _bytesStored;
    private long _partialUploadsDiscarded;
    private long _inFlight;
    private long _requests;
    private readonly ConcurrentDictionary<int, long> _answered = new();

    public FileStore(string? directory)
    {
        _ownsDirectory = directory is null;
        StorageDirectory = directory ?? Path.Combine(Path.GetTempPath(), $"uc-reference-{Environment.ProcessId}-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(StorageDirectory);
    }

    public string StorageDirectory { get; }

    public string NewPartialPath(out string id)
    {
        id = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..20];
        return Path.Combine(StorageDirectory, id + ".partial");
    }

    public StoredFile Commit(StoredFile partial)
    {
        var final = Path.Combine(StorageDirectory, partial.Id);
        File.Move(partial.Path, final);
        var stored = partial with { Path = final };
        _files[stored.Id] = stored;
        Interlocked.Add(ref _bytesStored, stored.Size);
        return stored;
    }

    public static void Discard(IEnumerable<StoredFile> partials)
    {
        foreach (var p in partials)
        {
            try { File.Delete(p.Path); } catch (IOException) { }
        }
    }

    public bool TryGet(string id, out StoredFile file) => _files.TryGetValue(id, out file!);

    public void RequestStarted()
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Increment(ref _inFlight);
    }

    public void RequestEnded(int? status)
    {
        Interlocked.Decrement(ref _inFlight);
        if (status is { } s) _answered.AddOrUpdate(s, 1, (_, n) => n + 1);
    }

    public void PartialUploadDiscarded() => Interlocked.Increment(ref _partialUploadsDiscarded);

    public ServerStats Snapshot() => new(
        FilesStored: _files.Count,
        BytesStored: Interlocked.Read(ref _bytesStored),
        PartialUploadsDiscarded: Interlocked.Read(ref _partialUploadsDiscarded),
        UploadsInFlight: Interlocked.Read(ref _inFlight),
        PartialFilesOnDisk: System.IO.Directory.EnumerateFiles(StorageDirectory, "*.partial").Count(),
        Requests: Interlocked.Read(ref _requests),
        Answered: _answered.OrderBy(kv => kv.Key).ToDictionary(kv => kv.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), kv => kv.Value));

    public void Dispose()
    {
        if (_ownsDirectory)
        {
            try { System.IO.Directory.Delete(StorageDirectory, recursive: true); } catch (IOException) { }
        }
    }
}

/// <summary>The body of <c>GET /stats</c>.</summary>
public sealed record ServerStats(
    long FilesStored,
    long BytesStored,
    long PartialUploadsDiscarded,
    long UploadsInFlight,
    long PartialFilesOnDisk,
    long Requests,
    IReadOnlyDictionary<string, long> Answered);
