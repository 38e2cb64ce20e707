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
        var csv = new StringBuilder("second,requests,ok,failed,dropped,bytes_sent,bytes_received,p50_ms,p95_ms,p99_ms,max_ms,service_p50_ms,service_p95_ms,service_p99_ms,service_max_ms\n");
        foreach (var s in document.Load!.Series)
            csv.AppendLine(string.Join(",", s.Second, s.Requests, s.Ok, s.Failed, s.Dropped, s.BytesSent, s.BytesReceived, F(s.P50Ms), F(s.P95Ms), F(s.P99Ms), F(s.MaxMs), F(s.ServiceP50Ms), F(s.ServiceP95Ms), F(s.ServiceP99Ms), F(s.ServiceMaxMs)));
        return csv.ToString();
    }

    private static string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
}

/// <summary>cases.csv: one row per case, verdict and reason, for spreadsheets.</summary>
public sealed class CasesCsv : IReportWriter
{
    public string FileName => "cases.csv";
    public bool AppliesTo(ResultsDocument document) => document.Cases.Count > 0;

    public string Render(ResultsDocument document)
    {
        var csv = new StringBuilder("id,suite,verdict,severity,status,err_msg,elapsed_ms,reason\n");
        foreach (var c in document.Cases)
            csv.AppendLine(string.Join(",", Q(c.Id), Q(c.Suite), Q(c.Verdict.ToString().ToLowerInvariant()), Q(c.Severity?.ToString().ToLowerInvariant() ?? ""),
                c.Outcome.Status?.ToString(CultureInfo.InvariantCulture) ?? "", Q(c.Outcome.ErrMsg), c.Outcome.ElapsedMs.ToString("0.##", CultureInfo.InvariantCulture), Q(c.Reason)));
        return csv.ToString();
    }

    /// <summary>RFC 4180 quoting.</summary>
    private static string Q(string value) => value.IndexOfAny([',', '"', '\n', '\r']) < 0 ? value : $"\"{value.Replace("\"", "\"\"")}\"";
}
