using System.Globalization;
using System.Text;
using UploadConformance.Results;

namespace UploadConformance.Reporting;

/// <summary>series.csv: one row per second of a load run, for spreadsheets and plotting tools.</summary>
public sealed class SeriesCsv : IReportWriter
{
    public string FileName => "series.csv";
    public bool AppliesTo(ResultsDocument document) => document.Load is not null;

    public string Render(ResultsDocument document)
    {
        var csv = new CsvText("second", "requests", "ok", "failed", "dropped", "bytes_sent", "bytes_received",
            "p50_ms", "p95_ms", "p99_ms",
            "max_ms", "service_p50_ms", "service_p95_ms", "service_p99_ms", "service_max_ms");
        foreach (var s in document.Load!.Series)
            csv.Row(I(s.Second), I(s.Requests), I(s.Ok), I(s.Failed), I(s.Dropped), I(s.BytesSent), I(s.BytesReceived),
                F(s.P50Ms), F(s.P95Ms),
                F(s.P99Ms), F(s.MaxMs), F(s.ServiceP50Ms), F(s.ServiceP95Ms), F(s.ServiceP99Ms), F(s.ServiceMaxMs));
        return csv.ToString();
    }

    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);

    private static string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
}

/// <summary>cases.csv: one row per case, verdict and reason, for spreadsheets.</summary>
public sealed class CasesCsv : IReportWriter
{
    public string FileName => "cases.csv";
    public bool AppliesTo(ResultsDocument document) => document.Cases.Count > 0;

    public string Render(ResultsDocument document)
    {
        var csv = new CsvText("id", "suite", "verdict", "severity", "status", "err_msg", "elapsed_ms", "reason");
        foreach (var c in document.Cases)
            csv.Row(c.Id, c.Suite, VerdictWords.Word(c.Verdict), c.Severity is { } s ? VerdictWords.Word(s) : "",
                c.Outcome.Status?.ToString(CultureInfo.InvariantCulture) ?? "", c.Outcome.ErrMsg,
                c.Outcome.ElapsedMs.ToString("0.##", CultureInfo.InvariantCulture), c.Reason);
        return csv.ToString();
    }
}

/// <summary>RFC 4180 text: fields quoted when they must be, and CRLF after every record on every OS
/// (the RFC's line ending; Excel and every CSV reader take it).</summary>
public sealed class CsvText
{
    private const string RecordEnd = "\r\n";
    private readonly StringBuilder _text = new();

    public CsvText(params string[] header) => Row(header);

    public void Row(params string[] fields) => _text.Append(string.Join(",", fields.Select(Quote))).Append(RecordEnd);

    private static string Quote(string value) => value.IndexOfAny([',', '"', '\n', '\r']) < 0
        ? value : $"\"{value.Replace("\"", "\"\"")}\"";

    public override string ToString() => _text.ToString();
}
