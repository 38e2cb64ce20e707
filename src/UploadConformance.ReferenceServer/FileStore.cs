using System.Collections.Concurrent;

namespace UploadConformance.ReferenceServer;

public sealed record StoredFile(string Id, string Field, string FileName, string? FileNameStar, string ContentType,
    long Size, string Sha256, string Path);

/// <summary>Stored uploads and the counters <c>GET /stats</c> reports. A file is written under a
/// <c>.partial</c> name and renamed only once its request completed, so a crash or an abort
/// can never leave something that looks stored. At most <c>keepBytes</c> of stored files stay on
/// disk, the newest; the counters count every file ever stored.</summary>
public sealed class FileStore : IDisposable
{
    private readonly ConcurrentDictionary<string, StoredFile> _files = new();
    private readonly bool _ownsDirectory;
    private readonly long _keepBytes;
    // The files on disk, oldest first, and their bytes; guarded by the queue.
    private readonly Queue<StoredFile> _kept = new();
    private long _keptBytes;
    private long _filesStored;
    private long _filesRemoved;
    private long _bytesStored;
    private long _partialUploadsDiscarded;
    private long _inFlight;
    private long _requests;
    private readonly ConcurrentDictionary<int, long> _answered = new();

    private const string TempPrefix = "uc-reference-";

    public FileStore(string? directory, long keepBytes = ReferenceServerOptions.DefaultKeepBytes)
    {
        _keepBytes = keepBytes;
        _ownsDirectory = directory is null;
        StorageDirectory = directory
            ?? Path.Combine(Path.GetTempPath(), $"{TempPrefix}{Environment.ProcessId}-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(StorageDirectory);
    }

    /// <summary>Removes the temporary folders of reference servers whose process is gone (killed with
    /// SIGKILL, which no handler sees). A folder's name carries its process id; a live process of that
    /// id, ours or not, keeps it.</summary>
    public static void RemoveAbandoned()
    {
        IEnumerable<string> folders;
        try
        {
            folders = System.IO.Directory.EnumerateDirectories(Path.GetTempPath(), TempPrefix + "*").ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }
        foreach (var folder in folders)
        {
            var rest = Path.GetFileName(folder)[TempPrefix.Length..];
            var dash = rest.IndexOf('-');
            if (dash <= 0
                || !int.TryParse(rest.AsSpan(0, dash), System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out var pid)) continue;
            if (pid == Environment.ProcessId || IsAlive(pid)) continue;
            try { System.IO.Directory.Delete(folder, recursive: true); } catch (Exception e) when (e is IOException
                or UnauthorizedAccessException) { }
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
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
        Interlocked.Increment(ref _filesStored);
        Interlocked.Add(ref _bytesStored, stored.Size);
        RemoveOldestOver(stored);
        return stored;
    }

    private void RemoveOldestOver(StoredFile newest)
    {
        var removed = new List<StoredFile>();
        lock (_kept)
        {
            _kept.Enqueue(newest);
            _keptBytes += newest.Size;
            while (_keptBytes > _keepBytes && _kept.Count > 1)
            {
                var oldest = _kept.Dequeue();
                _keptBytes -= oldest.Size;
                removed.Add(oldest);
            }
        }
        foreach (var file in removed)
        {
            _files.TryRemove(file.Id, out _);
            Interlocked.Increment(ref _filesRemoved);
            try
            {
                File.Delete(file.Path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone already, or not ours to remove: it no longer counts against the bound either way.
            }
        }
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
        FilesStored: Interlocked.Read(ref _filesStored),
        BytesStored: Interlocked.Read(ref _bytesStored),
        PartialUploadsDiscarded: Interlocked.Read(ref _partialUploadsDiscarded),
        UploadsInFlight: Interlocked.Read(ref _inFlight),
        PartialFilesOnDisk: System.IO.Directory.EnumerateFiles(StorageDirectory, "*.partial").Count(),
        Requests: Interlocked.Read(ref _requests),
        Answered: _answered.OrderBy(kv => kv.Key).ToDictionary(kv =>
        kv.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), kv => kv.Value),
        FilesRemoved: Interlocked.Read(ref _filesRemoved));

    public void Dispose()
    {
        if (_ownsDirectory)
        {
            try { System.IO.Directory.Delete(StorageDirectory, recursive: true); } catch (Exception e) when (
                e is IOException or UnauthorizedAccessException) { }
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
    IReadOnlyDictionary<string, long> Answered,
    long FilesRemoved = 0);
