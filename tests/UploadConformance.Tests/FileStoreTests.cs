using UploadConformance.ReferenceServer;

namespace UploadConformance.Tests;

/// <summary>The reference server's storage stays bounded: a soak stores gigabytes, so only the newest
/// files are kept on disk, while /stats counts every file ever stored.</summary>
public class FileStoreTests
{
    private static StoredFile Store(FileStore store, int size)
    {
        var path = store.NewPartialPath(out var id);
        File.WriteAllBytes(path, new byte[size]);
        return store.Commit(new StoredFile(id, "images", "a.bin", null, "application/octet-stream", size, "", path));
    }

    [Fact]
    public void Only_the_newest_files_within_the_bound_stay_on_disk_and_every_one_is_counted()
    {
        using var store = new FileStore(null, keepBytes: 100);
        var first = Store(store, 60);
        var second = Store(store, 30);
        var third = Store(store, 50);
        Assert.False(store.TryGet(first.Id, out _));
        Assert.False(File.Exists(first.Path));
        Assert.True(store.TryGet(second.Id, out _) && store.TryGet(third.Id, out _));
        // One file larger than the whole bound is still kept: it is fetched back right after it is stored.
        var large = Store(store, 500);
        Assert.True(store.TryGet(large.Id, out _) && File.Exists(large.Path));
        Assert.False(store.TryGet(third.Id, out _));
        var stats = store.Snapshot();
        Assert.Equal((4, 640, 3), (stats.FilesStored, stats.BytesStored, stats.FilesRemoved));
        Assert.Single(Directory.GetFiles(store.StorageDirectory));
    }
}
