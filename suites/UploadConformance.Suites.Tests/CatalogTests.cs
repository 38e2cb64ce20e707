using UploadConformance.Payloads;
using UploadConformance.ReferenceServer;
using UploadConformance.Suites.Catalog;
using UploadConformance.Targets;
using UploadConformance.Verification;
using UploadConformance.Wire;
using Xunit.Abstractions;
using Server = UploadConformance.ReferenceServer.ReferenceServer;

namespace UploadConformance.Suites.Tests;

/// <summary>The target every case runs against: UPLOAD_TARGET (with UPLOAD_PROFILE if set), or the
/// embedded reference server started as <c>conform</c> starts it.</summary>
public sealed class TargetFixture : IAsyncLifetime
{
    private Server? _server;

    public TargetProfile Profile { get; private set; } = null!;
    public bool Embedded => _server is not null;
    public HttpClient Http { get; } = new(Uploader.CreateHandler());
    public Uploader Uploader { get; } = new();
    public IReadOnlyDictionary<string, UploadCase> Cases { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var target = Environment.GetEnvironmentVariable("UPLOAD_TARGET");
        var profilePath = Environment.GetEnvironmentVariable("UPLOAD_PROFILE");
        if (string.IsNullOrEmpty(target) && string.IsNullOrEmpty(profilePath))
        {
            _server = await Server.StartAsync(new ReferenceServerOptions { FileField = "*", MaxFileBytes = 32L << 20 });
            Profile = TargetProfile.Reference(_server.UploadUrl, anyField: true, maxFileBytes: 32L << 20);
        }
        else
        {
            var url = string.IsNullOrEmpty(target) ? null : new Uri(target);
            Profile = string.IsNullOrEmpty(profilePath) ? TargetProfile.Reference(url!)
                : ProfileLoader.Load(profilePath, url);
        }
        Cases = ConformanceCatalog.Build(new CatalogContext(Profile, 1, ImageFactory.Default())).ToDictionary(c =>
            c.Id);
    }

    public async Task DisposeAsync()
    {
        Uploader.Dispose();
        Http.Dispose();
        if (_server is not null) await _server.DisposeAsync();
    }
}

public class CatalogTests(TargetFixture target, ITestOutputHelper output) : IClassFixture<TargetFixture>
{
    public static TheoryData<string> CaseIds()
    {
        var ids = new TheoryData<string>();
        foreach (var c in ConformanceCatalog.Build(
            new CatalogContext(TargetProfile.Reference(new Uri("http://127.0.0.1/image"), true, 32L << 20), 1,
            ImageFactory.Default())))
            ids.Add(c.Id);
        return ids;
    }

    [Theory]
    [MemberData(nameof(CaseIds))]
    public async Task Case(string id)
    {
        var runner = new CaseRunner(target.Uploader, target.Http, target.Profile);
        var result = await runner.RunAsync(target.Cases[id], CancellationToken.None);
        output.WriteLine($"{result.Verdict}: {result.Reason}");
        foreach (var check in result.Checks) output.WriteLine($"  {check}");
        Assert.True(result.Verdict != Verdict.Fail, $"{id}: {result.Severity} failure: {result.Reason}");
        if (target.Embedded)
            Assert.True(result.Verdict is Verdict.Pass or Verdict.Informational,
                $"{id} against the reference server: {result.Verdict}: {result.Reason}");
    }
}
