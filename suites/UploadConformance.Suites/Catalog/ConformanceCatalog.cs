using UploadConformance.Verification;

namespace UploadConformance.Suites.Catalog;

/// <summary>Every suite, in the order a run takes them. The catalog (what <c>conform</c> runs by
/// default) is every suite but smoke, which is the default run's and can be asked for by name.</summary>
public static class ConformanceCatalog
{
    /// <param name="Covers">What its cases send, for README's suite table (generated from this list).</param>
    public sealed record Suite(string Name, string Description, Func<CatalogContext, IEnumerable<UploadCase>> Build,
        bool InCatalog = true, string Covers = "");

    public static readonly IReadOnlyList<Suite> Suites =
    [
        new(WxShapesSuite.Name,
        "what mini-program clients send: field names, filenames, formData, payloads, platforms, Content-Type",
        WxShapesSuite.Build, Covers: "what mini-program clients send: file field names (`file`, `图片`, `files[]`, "
            + "200 characters, quotes), filenames (`tmp_<hex>`, the 96-character legacy form, raw UTF-8 Chinese, "
            + "emoji, no extension, Windows paths, `../`), formData in every encoding and shape (nested, 25 fields, "
            + "duplicates, a 1 MB value, CRLF inside, `__proto__`), payloads (empty, one byte, every image kind, type "
            + "mismatches), every platform profile, hand-set Content-Types, boundary forms"),
        new(LimitsSuite.Name, "declared limits and floods", LimitsSuite.Build,
            Covers: "just under and over each declared size limit (Content-Length and chunked), a Content-Length "
            + "far over it, 1,500 fields (and 1,500 after the file), 5,000 empty parts, a 64 KiB part header, a "
            + "field over the field limit; every one works for any declared size"),
        new(MalformedWireSuite.Name, "malformed bodies through a raw socket: known crash, hang and data-loss triggers",
        MalformedWireSuite.Build, Covers: "malformed bodies through a raw socket, each a known parser failure: "
            + "LF-only lines, missing or mangled closing boundary, boundaries of 100 and 252 characters, obs-fold, "
            + "parts without Content-Disposition or name, `name=\"\"`, 2 MiB of CRLF preamble, the backslash-flood "
            + "ReDoS, base64 transfer encoding, Content-Length larger or smaller than the body, `filename*`, "
            + "`__proto__` headers"),
        new(TransportSuite.Name, "framing, 100-continue, slow links, timeouts, aborts, concurrency, retries",
        TransportSuite.Build, Covers: "chunked and Content-Length give the same result, `Expect: 100-continue` "
            + "(normal, and oversized: refused before any 100), 50 KB/s, a client timeout, aborts at 1, 50 and 99 %, "
            + "ten uploads at once, the same upload twice, one byte per write"),
        new(AnswersSuite.Name, "what the client is handed back", AnswersSuite.Build,
            Covers: "success answers are UTF-8 JSON, refusals are JSON not HTML pages, no business error inside a "
            + "200"),
        new(FlowsSuite.Name, "uploads that are flows: straight to an object store, or behind a login",
            FlowsSuite.Build, Covers: "only for a profile with `steps`: photos through the whole flow, fetched back; "
            + "for object stores, Chinese and emoji `${filename}` keys, metadata kept, a 201 naming the key, a file "
            + "over the policy's range, a corrupted signature, an anonymous form, a key outside the prefix, the form "
            + "sent once its policy expired; behind a "
            + "login, an upload without the token and with a forged one"),
        new(SmokeSuite.Name, "the default run's representative handful (./run.sh)", SmokeSuite.Build, InCatalog: false),
    ];

    /// <summary>README's suite table: each catalog suite with its cases counted for
    /// <paramref name="context"/>'s profile, and the total.</summary>
    public static string Table(CatalogContext context)
    {
        var counts = Suites.Where(s => s.InCatalog).Select(s => (Suite: s, Cases: s.Build(context).Count())).ToList();
        var lines = new List<string>
        {
            $"{counts.Sum(c => c.Cases)} cases with stable ids (`<suite>.<what>`), in {counts.Count} suites (and "
            + "`smoke`, the default run's, by name), counted for the embedded server's profile (a profile that "
            + "declares fewer limits has fewer limit cases):",
            "",
            "| suite | cases | what |",
            "|---|---:|---|",
        };
        lines.AddRange(counts.Select(c => $"| `{c.Suite.Name}` | {c.Cases} | {c.Suite.Covers} |"));
        return string.Join('\n', lines);
    }

    /// <summary>The catalog's cases: every suite but smoke.</summary>
    public static IReadOnlyList<UploadCase> Build(CatalogContext context) =>
        Suites.Where(s => s.InCatalog && Applies(s, context)).SelectMany(s => s.Build(context)).ToList();

    /// <summary>An object store's multipart parser is the provider's, not the user's: against a bucket only
    /// the flows suite (and smoke, asked for by name) says something about what the user owns.</summary>
    private static bool Applies(Suite suite, CatalogContext context) =>
        context.Profile.Storage == Targets.StorageKind.None || suite.Name is FlowsSuite.Name or SmokeSuite.Name;

    /// <summary>The cases a <c>--suite</c> and <c>--case</c> pick; a pattern may end in <c>*</c>.
    /// Naming something that does not exist is an error, not an empty run.</summary>
    public static IReadOnlyList<UploadCase> Select(CatalogContext context, string? suite, string? casePattern)
    {
        IEnumerable<Suite> suites = Suites.Where(s => (s.InCatalog || casePattern is not null) && Applies(s, context));
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
                $"no case matches --case '{casePattern}'{(suite is null ? "" : $" in suite '{suite}'")} (the verb "
                + "'cases' lists them)");
        return result;
    }

    private static bool Matches(string id, string pattern) =>
        pattern.EndsWith('*') ? id.StartsWith(pattern[..^1], StringComparison.Ordinal) : id == pattern;
}
