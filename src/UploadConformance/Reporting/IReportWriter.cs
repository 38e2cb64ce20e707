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

/// <summary>Every format a run writes beside results.json.</summary>
public static class ReportSet
{
    public static readonly IReadOnlyList<IReportWriter> Writers =
        [new SummaryMarkdown(), new JUnitReport(), new CasesCsv(), new SeriesCsv(), new HtmlReport()];

    public static async Task<IReadOnlyList<string>> WriteAsync(ResultsDocument document, string folder)
    {
        Directory.CreateDirectory(folder);
        var written = new List<string>();
        foreach (var writer in Writers.Where(w => w.AppliesTo(document)))
        {
            var path = Path.Combine(folder, writer.FileName);
            await File.WriteAllTextAsync(path, writer.Render(document), new UTF8Encoding(false)).ConfigureAwait(false);
            written.Add(path);
        }
        return written;
    }
}
