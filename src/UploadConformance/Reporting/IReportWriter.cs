using System.Text;
using UploadConformance.Results;

namespace UploadConformance.Reporting;

/// <summary>One output format: renders a results document into one file of a report folder.</summary>
public interface IReportWriter
{
    string FileName { get; }
    /// <summary>Whether this format has anything to say about the document (a CSV of per-second
    /// series only for load runs).</summary>
    bool AppliesTo(ResultsDocument document) => true;
    string Render(ResultsDocument document);
}

/// <summary>Every format a run writes beside results.json. Each is rendered on its own: one that
/// throws is reported and the others are still written, so no single format can lose a run.</summary>
public static class ReportSet
{
    public static readonly IReadOnlyList<IReportWriter> Writers =
        [new SummaryMarkdown(), new JUnitReport(), new CasesCsv(), new SeriesCsv(), new HtmlReport()];

    public sealed record Failure(string FileName, string Problem);

    public sealed record Written(IReadOnlyList<string> Paths, IReadOnlyList<Failure> Failures);

    public static async Task<Written> WriteAsync(ResultsDocument document, string folder,
        IReadOnlyList<IReportWriter>? writers = null)
    {
        Directory.CreateDirectory(folder);
        var paths = new List<string>();
        var failures = new List<Failure>();
        foreach (var writer in (writers ?? Writers).Where(w => w.AppliesTo(document)))
        {
            var path = Path.Combine(folder, writer.FileName);
            try
            {
                await File.WriteAllTextAsync(path, writer.Render(document),
                    new UTF8Encoding(false)).ConfigureAwait(false);
                paths.Add(path);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failures.Add(new Failure(writer.FileName, $"{e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}"));
            }
        }
        return new Written(paths, failures);
    }
}
