using UploadConformance.Verification;

namespace UploadConformance.Suites.Catalog;

/// <summary>Every suite, in the order a run takes them. The catalog (what <c>conform</c> runs by
/// default) is every suite but smoke, which is the default run's and can be asked for by name.</summary>
public static class ConformanceCatalog
{
    public sealed record Suite(string Name, string Description, Func<CatalogContext, IEnumerable<UploadCase>> Build,
        bool InCatalog = true);

    public static readonly IReadOnlyList<Suite> Suites =
    [
        new(WxShapesSuite.Name,
        "what mini-program clients send: field names, filenames, formData, payloads, platforms, Content-Type",
        WxShapesSuite.Build),
        new(LimitsSuite.Name, "declared limits and floods", LimitsSuite.Build),
        new(MalformedWireSuite.Name, "malformed bodies through a raw socket: known crash, hang and data-loss triggers",
        MalformedWireSuite.Build),
        new(TransportSuite.Name, "framing, 100-continue, slow links, timeouts, aborts, concurrency, retries",
        TransportSuite.Build),
        new(AnswersSuite.Name, "what the client is handed back", AnswersSuite.Build),
        new(SmokeSuite.Name, "the default run's representative handful (./run.sh)", SmokeSuite.Build, InCatalog: false),
    ];

    /// <summary>The catalog's cases: every suite but smoke.</summary>
    public static IReadOnlyList<UploadCase> Build(CatalogContext context) =>
        Suites.Where(s => s.InCatalog).SelectMany(s => s.Build(context)).ToList();

    /// <summary>The cases a <c>--suite</c> and <c>--case</c> pick; a pattern may end in <c>*</c>.
    /// Naming something that does not exist is an error, not an empty run.</summary>
    public static IReadOnlyList<UploadCase> Select(CatalogContext context, string? suite, string? casePattern)
    {
        IEnumerable<Suite> suites = Suites.Where(s => s.InCatalog || casePattern is not null);
        if (suite is not null)
        {
            var names = suite.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var unknown = names.FirstOrDefault(n => Suites.All(s => s.Name != n));
            if (unknown is not null)
                throw new ArgumentException(
                    $"no suite '{unknown}' (suites: {string.Join(", ", Suites.Select(s => s.Name))})");
            suites = Suites.Where(s => names.Contains(s.Name));
        }
        IEnumerable<UploadCase> picked = suites.SelectMany(s => s.Build(context));
        if (casePattern is not null)
        {
            var patterns =
                casePattern.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            picked = picked.Where(c => patterns.Any(p => Matches(c.Id, p)));
        }
        var result = picked.ToList();
        if (result.Count == 0)
            throw new ArgumentException(
                $"no case matches --case '{casePattern}'{(suite is null ? "" : $" in suite '{suite}'")} (run.sh "
                + $"cases lists them)");
        return result;
    }

    private static bool Matches(string id, string pattern) =>
        pattern.EndsWith('*') ? id.StartsWith(pattern[..^1], StringComparison.Ordinal) : id == pattern;
}
