using UploadConformance.Cli;
using UploadConformance.Payloads;
using UploadConformance.Suites.Catalog;

namespace UploadConformance.Tests;

/// <summary>Numbers README states that the code knows are written by the code: the suite table is the
/// catalog counted. UPDATE_DOCS=1 rewrites the section.</summary>
public class ReadmeTests
{
    private const string Begin = "<!-- generated: suites begin -->";
    private const string End = "<!-- generated: suites end -->";

    [Fact]
    public async Task The_suite_table_is_the_catalog_counted_for_the_embedded_servers_profile()
    {
        var path = Path.Combine(Repo.Root, "README.md");
        var readme = await File.ReadAllTextAsync(path);
        var begin = readme.IndexOf(Begin, StringComparison.Ordinal);
        var end = readme.IndexOf(End, StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, "README.md has no generated suites section");
        var context = new CatalogContext(Target.ProfileOf(Target.ConformServer, Target.Placeholder), 1,
            ImageFactory.Default());
        var generated = readme[..(begin + Begin.Length)] + "\n" + ConformanceCatalog.Table(context) + "\n"
            + readme[end..];
        if (Environment.GetEnvironmentVariable("UPDATE_DOCS") == "1") await File.WriteAllTextAsync(path, generated);
        Assert.Equal(generated, readme);
        Assert.Equal(ConformanceCatalog.Build(context).Count,
            ConformanceCatalog.Suites.Where(s => s.InCatalog).Sum(s => s.Build(context).Count()));
    }
}
