using System.Diagnostics;
using UploadConformance.ReferenceServer;
using UploadConformance.Targets;
using UploadConformance.Verification;
using UploadConformance.Wire;
using Xunit.Abstractions;
using Server = UploadConformance.ReferenceServer.ReferenceServer;

namespace UploadConformance.Tests;

/// <summary>The reference server's buckets, and beside them tests/storage-backend: a credential backend that
/// signs with each provider's official SDK from npm (the same fake keys), and s3rver. Profiles point the flows
/// at them with <c>${UC_BACKEND}</c>.</summary>
public sealed class StorageBackendFixture : IAsyncLifetime
{
    private Process? _node;

    public Server Server { get; private set; } = null!;
    public Server Defective { get; private set; } = null!;
    public Uri Backend { get; private set; } = null!;
    public HttpClient Http { get; } = new(Uploader.CreateHandler());
    public Uploader Uploader { get; } = new();

    public async Task InitializeAsync()
    {
        Server = await Server.StartAsync(new ReferenceServerOptions());
        Defective = await Server.StartAsync(new ReferenceServerOptions
        {
            Defects = ServerDefects.AcceptAnySignature | ServerDefects.IgnoreContentLengthRange
                | ServerDefects.IgnoreExpiration,
        });
        var dir = Path.Combine(Repo.Root, "tests", "storage-backend");
        await Prerequisites.NpmAsync(dir);
        var start = new ProcessStartInfo("node", $"server.js {Server.BaseUrl.ToString().TrimEnd('/')}")
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in new Dictionary<string, string>
        {
            ["UC_S3_ID"] = StorageKeys.S3Id, ["UC_S3_SECRET"] = StorageKeys.S3Secret,
            ["UC_S3_REGION"] = StorageKeys.Region,
            ["UC_OSS_ID"] = StorageKeys.OssId, ["UC_OSS_SECRET"] = StorageKeys.OssSecret,
            ["UC_OSS_REGION"] = StorageKeys.OssRegion, ["UC_COS_ID"] = StorageKeys.CosId,
            ["UC_COS_SECRET"] = StorageKeys.CosSecret, ["UC_QINIU_ID"] = StorageKeys.QiniuId,
            ["UC_QINIU_SECRET"] = StorageKeys.QiniuSecret, ["UC_EXPIRES"] = "3",
        }) start.Environment[name] = value;
        _node = Process.Start(start)!;
        _ = _node.StandardError.ReadToEndAsync();
        using var ready = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var line = await _node.StandardOutput.ReadLineAsync(ready.Token)
            ?? throw new InvalidOperationException("tests/storage-backend/server.js exited before listening");
        Backend = new Uri($"http://127.0.0.1:{line.Split(' ')[1]}");
        // The profiles name the backend as ${UC_BACKEND}, as a user's name theirs.
        Environment.SetEnvironmentVariable("UC_BACKEND", Backend.ToString().TrimEnd('/'));
    }

    /// <param name="server">Where the upload goes instead of the bucket the backend names (a defective one).</param>
    public TargetProfile Profile(string name, Server? server = null)
    {
        var path = Path.Combine(Repo.Root, "tests", "storage-backend", "profiles", $"{name}.yaml");
        var text = File.ReadAllText(path);
        var profile = ProfileLoader.Parse(text, path);
        var bucket = new Uri(server?.BaseUrl ?? Server.BaseUrl, profile.Url.PathAndQuery);
        if (server is not null) text = text.Replace("url: \"{host}\"", $"url: {bucket}", StringComparison.Ordinal);
        return ProfileLoader.Parse(text, path, bucket);
    }

    public async Task DisposeAsync()
    {
        Uploader.Dispose();
        Http.Dispose();
        if (_node is { HasExited: false })
        {
            _node.StandardInput.Close();
            _node.Kill();
            await _node.WaitForExitAsync();
        }
        _node?.Dispose();
        await Server.DisposeAsync();
        await Defective.DisposeAsync();
    }
}

public class StorageTests(StorageBackendFixture storage, ITestOutputHelper output)
    : IClassFixture<StorageBackendFixture>
{
    /// <summary>Our reading of each provider's specification, cross-checked: the buckets store what the official
    /// SDKs sign, and refuse it once tampered (a corrupted signature, the credential removed, a key outside the
    /// policy's prefix, a file over its range).</summary>
    [Theory]
    [InlineData("s3")]
    [InlineData("oss")]
    [InlineData("oss-v4")]
    [InlineData("cos")]
    [InlineData("qiniu")]
    public async Task What_the_official_SDK_signs_is_stored_and_refused_once_tampered(string provider)
    {
        var results = await Catalog.RunAsync(storage.Profile(provider), storage.Uploader, storage.Http, output,
            "flows.*");

        Assert.True(results.Count >= 8, $"only {results.Count} flow cases ran");
        Assert.All(results.Values, r => Assert.True(r.Verdict == Verdict.Pass, $"{r.Id}: {r.Verdict} {r.Reason}"));
        Assert.Equal(provider == "qiniu" ? 401 : 403, results["flows.bad-signature"].Outcome.Status);
        Assert.Contains(provider == "qiniu" ? "bad token" : "SignatureDoesNotMatch",
            results["flows.bad-signature"].Outcome.BodyExcerpt);
        Assert.Contains(provider == "qiniu" ? "exceed FsizeLimit" : "EntityTooLarge",
            results["flows.over-range"].Outcome.BodyExcerpt);
        Assert.Contains(results["flows.photo-compressed"].Checks, c => c.Name == "file.fetched" && c.Ok);
        // Waited for, not skipped: the SDK signed it for 3 s.
        Assert.Contains(provider == "qiniu" ? "expired token" : provider == "cos" ? "expired" : "Policy expired",
            results["flows.expired-credential"].Outcome.BodyExcerpt);
    }

    [Fact]
    public async Task A_bucket_that_takes_any_signature_or_size_fails_as_a_security_hole()
    {
        var results = await Catalog.RunAsync(storage.Profile("oss", storage.Defective), storage.Uploader,
            storage.Http, output, "flows.bad-signature", "flows.over-range", "flows.photo-compressed",
            "flows.expired-credential");

        Assert.Equal(Verdict.Pass, results["flows.photo-compressed"].Verdict);
        Assert.Equal(Verdict.Fail, results["flows.bad-signature"].Verdict);
        Assert.Contains("accepted", results["flows.bad-signature"].Reason);
        Assert.Equal(Verdict.Fail, results["flows.over-range"].Verdict);
        Assert.Equal(Verdict.Fail, results["flows.expired-credential"].Verdict);
    }

    /// <summary>s3rver, a third-party fake S3, takes the SDK's form and stores it byte for byte; it checks the
    /// form's shape and never its policy or signature, so the suite rightly fails it on the corrupted one.</summary>
    [Fact]
    public async Task s3rver_stores_the_presigned_form_exactly_and_is_failed_for_ignoring_its_signature()
    {
        var results = await Catalog.RunAsync(storage.Profile("s3rver"), storage.Uploader, storage.Http, output,
            "flows.photo-compressed", "flows.photo-original", "flows.filename-chinese", "flows.success-201",
            "flows.bad-signature");

        foreach (var id in new[] { "flows.photo-compressed", "flows.photo-original", "flows.filename-chinese",
            "flows.success-201" })
            Assert.True(results[id].Verdict == Verdict.Pass, $"{id}: {results[id].Reason}");
        Assert.Equal(Verdict.Fail, results["flows.bad-signature"].Verdict);
    }
}
