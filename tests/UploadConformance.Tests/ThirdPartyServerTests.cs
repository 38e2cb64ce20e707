using UploadConformance.Payloads;
using UploadConformance.Suites.Catalog;
using UploadConformance.Targets;
using UploadConformance.Verification;
using Xunit.Abstractions;

namespace UploadConformance.Tests;

/// <summary>The catalog against real third-party servers, asserting what the suite must report for
/// them. Their full verdict lists are written to the test output.</summary>
public static class Catalog
{
    public static async Task<IReadOnlyDictionary<string, CaseResult>> RunAsync(TargetProfile profile,
        UploadConformance.Wire.Uploader uploader,
        HttpClient http, ITestOutputHelper output, params string[] only)
    {
        var runner = new CaseRunner(uploader, http, profile) { RawBound = TimeSpan.FromSeconds(10) };
        var results = new Dictionary<string, CaseResult>();
        var context = new CatalogContext(profile, 1, ImageFactory.Default());
        var cases = only.Length == 0 ? ConformanceCatalog.Build(context)
            : ConformanceCatalog.Select(context, null, string.Join(",", only));
        foreach (var @case in cases)
        {
            var result = await runner.RunAsync(@case, CancellationToken.None);
            results[result.Id] = result;
            output.WriteLine(
                $"{result.Verdict,-13} {result.Id,-42} {result.Outcome.Status?.ToString() ?? "-",4} {result.Reason}");
        }
        return results;
    }
}

public class NginxTlsTests(NginxTlsFixture nginx, ITestOutputHelper output) : IClassFixture<NginxTlsFixture>
{
    [Fact]
    public async Task Uploads_through_nginx_terminating_TLS_with_HTTP_2_arrive_byte_exact()
    {
        var profile = TargetProfile.Reference(nginx.Url, anyField: true, maxFileBytes: 32L << 20);
        var runner = new CaseRunner(nginx.Uploader, nginx.Http, profile);
        var cases = ConformanceCatalog.Select(new CatalogContext(profile, 1, ImageFactory.Default()), "wx", null);
        var results = new List<CaseResult>();
        foreach (var c in cases) results.Add(await runner.RunAsync(c, CancellationToken.None));
        foreach (var r in results) output.WriteLine($"{r.Verdict,-13} {r.Id,-42} {r.Outcome.Protocol} {r.Reason}");

        Assert.All(results, r => Assert.True(r.Verdict is Verdict.Pass, $"{r.Id}: {r.Reason}"));
        var original = results.Single(r => r.Id == "wx.payload.original");
        Assert.Equal("HTTP/2.0", original.Outcome.Protocol);
        Assert.Contains(original.Checks, c => c is { Name: "file.sha256", Ok: true });
        Assert.Contains(original.Checks, c => c is { Name: "file.fetched", Ok: true, Checked: true });
    }
}
