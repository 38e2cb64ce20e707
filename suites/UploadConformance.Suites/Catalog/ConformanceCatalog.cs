using UploadConformance.Verification;

namespace UploadConformance.Suites.Catalog;

/// <summary>Every conformance suite, in the order a run takes them.</summary>
public static class ConformanceCatalog
{
    public static readonly IReadOnlyList<(string Name, string Description, Func<CatalogContext, IEnumerable<UploadCase>> Build)> Suites =
    [
        (WxShapesSuite.Name, "what mini-program clients send: field names, filenames, formData, payloads, platforms, Content-Type", WxShapesSuite.Build),
        (LimitsSuite.Name, "declared limits and floods", LimitsSuite.Build),
        (MalformedWireSuite.Name, "malformed bodies through a raw socket: known crash, hang and data-loss triggers", MalformedWireSuite.Build),
        (TransportSuite.Name, "framing, 100-continue, slow links, timeouts, aborts, concurrency, retries", TransportSuite.Build),
        (AnswersSuite.Name, "what the client is handed back", AnswersSuite.Build),
    ];

    public static IReadOnlyList<UploadCase> Build(CatalogContext context) => Suites.SelectMany(s => s.Build(context)).ToList();

    /// <summary>The cases a <c>--suite</c> and <c>--case</c> pick; a pattern may end in <c>*</c>.
    /// Naming something that does not exist is an error, not an empty run.</summary>
    public static IReadOnlyList<UploadCase> Select(IReadOnlyList<UploadCase> all, string? suite, string? casePattern)
    {
        IEnumerable<UploadCase> picked = all;
        if (suite is not null)
        {
            var names = suite.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var unknown = names.FirstOrDefault(n => Suites.All(s => s.Name != n));
            if (unknown is not null)
                throw new ArgumentException($"no suite '{unknown}' (suites: {string.Join(", ", Suites.Select(s => s.Name))})");
            picked = picked.Where(c => names.Contains(c.Suite));
        }
        if (casePattern is not null)
        {
            var patterns = casePattern.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            picked = picked.Where(c => patterns.Any(p => Matches(c.Id, p)));
        }
        var result = picked.ToList();
        if (result.Count == 0)
            throw new ArgumentException($"no case matches --case '{casePattern}'{(suite is null ? "" : $" in suite '{suite}'")} (run.sh cases lists them)");
        return result;
    }

    private static bool Matches(string id, string pattern) =>
        pattern.EndsWith('*') ? id.StartsWith(pattern[..^1], StringComparison.Ordinal) : id == pattern;
}
