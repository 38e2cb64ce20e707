using System.Globalization;
using System.Net;
using System.Text;
using UploadConformance.Load;
using UploadConformance.Results;
using UploadConformance.Text;
using UploadConformance.Verification;

namespace UploadConformance.Reporting;

/// <summary>index.html: one file that opens from disk with no network. Styles are inline, charts are
/// SVG drawn here, details open with &lt;details&gt;, so there is no script to fail.</summary>
public sealed class HtmlReport : IReportWriter
{
    public const string Name = "index.html";

    public string FileName => Name;

    public const string Style = """
        :root { --pass:#1a7f37; --nonstrict:#bf8700; --fail:#cf222e; --info:#0969da; --ink:#1f2328; --muted:#656d76;
                --line:#d0d7de; --bg:#f6f8fa; }
        * { box-sizing: border-box; }
        body { margin: 0; color: var(--ink); background: #fff;
               font: 14px/1.5 system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei",
                     "Noto Sans CJK SC", "WenQuanYi Zen Hei", sans-serif; }
        header { padding: 20px 32px; background: var(--ink); color: #fff; }
        header h1 { margin: 0 0 4px; font-size: 22px; }
        header .facts { color: #c9d1d9; font-size: 13px; }
        main { padding: 16px 32px 48px; max-width: 1400px; }
        h2 { margin: 28px 0 8px; font-size: 18px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
        h3 { margin: 18px 0 6px; font-size: 15px; }
        .badge { display: inline-block; padding: 2px 10px; border-radius: 12px; color: #fff; font-weight: 600;
                 font-size: 13px; white-space: nowrap; }
        .pass { background: var(--pass); } .non-strict { background: var(--nonstrict); }
        .fail { background: var(--fail); } .informational { background: var(--info); }
        .tiles { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0; }
        .tile { background: var(--bg); border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px;
                min-width: 130px; }
        .tile b { display: block; font-size: 22px; } .tile .label { color: var(--muted); font-size: 12px; }
        .grid { display: flex; flex-wrap: wrap; gap: 3px; margin: 6px 0 10px; }
        .cell { width: 16px; height: 16px; border-radius: 3px; display: inline-block; }
        table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; font-size: 13px; }
        th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top;
                 overflow-wrap: anywhere; }
        th { background: var(--bg); font-weight: 600; overflow-wrap: normal; }
        .wrap { overflow-x: auto; max-width: 100%; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        details { margin: 2px 0; } summary { cursor: pointer; }
        pre { background: var(--bg); border: 1px solid var(--line); padding: 8px; white-space: pre-wrap;
              word-break: break-all; max-height: 240px; overflow: auto; font-size: 12px; }
        .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(560px, 100%), 1fr)); gap: 16px;
                  margin: 8px 0; }
        svg.chart { width: 100%; height: auto; background: #fff; border: 1px solid var(--line); border-radius: 8px; }
        svg .title { font-weight: 600; font-size: 13px; fill: var(--ink); }
        svg .tick, svg .legend, svg .axis { font-size: 11px; fill: var(--muted); }
        svg .grid { stroke: #eaeef2; } svg .line { fill: none; stroke-width: 1.6; } svg .empty { fill: var(--muted); }
        .ok { color: var(--pass); font-weight: 600; } .bad { color: var(--fail); font-weight: 600; }
        .muted { color: var(--muted); }
        """;

    public string Render(ResultsDocument document)
    {
        var html = new StringBuilder();
        var run = document.Run;
        html.Append($"<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
            + $"content=\"width=device-width, initial-scale=1\"><title>UploadConformance · "
            + $"{E(run.Id)}</title><style>{Style}</style></head><body>");
        html.Append($"<header><h1>UploadConformance {Headline(document)}</h1><div class=\"facts\">");
        html.Append($"{E(run.Verb)} · target "
            + $"<b>{E(run.Target.Url)}</b>{(run.Target.Embedded ? " (embedded reference server)" : "")} · "
            + $"{run.StartedAt:yyyy-MM-dd HH:mm:ss zzz} · {run.DurationMs / 1000:0.0} s · seed {run.Seed}");
        html.Append(
            $"<br>{E(run.Tool.Name)} {E(run.Tool.Version)} on {E(run.Tool.Runtime)} · {E(run.Host.Os)}, "
            + $"{run.Host.Cores} cores");
        if (run.Profile is { } p)
            html.Append($"<br>profile {E(p.Source ?? "built-in")} · field "
                + $"<b>{E(p.Field)}</b>{(p.AnyField ? " (any field)" : "")} · success "
                + $"{E(string.Join("|", p.SuccessStatus))} "
                + E(string.Join(", ", p.SuccessJson))
                + (p.Headers.Count > 0 ? " · headers " + E(string.Join(", ", p.Headers)) : ""));
        if (document.Load is { } l) html.Append(
            $"<br>scenario <b>{E(l.Scenario)}</b> ({E(l.Model)} model): {E(string.Join(" → ", l.Simulations))}");
        if (run.Tls is { } tls)
        {
            html.Append($"<br>{E(tls.Http)}{(tls.Ca is { } ca ? $" · trusting {E(ca)}" : "")}");
            if (tls.Insecure) html.Append(
                " · <span class=\"badge fail\">--insecure: TLS certificates NOT checked</span>");
        }
        if (run.Interrupted is { } why) html.Append($"<br><b>Stopped early:</b> {E(why)}");
        html.Append("</div></header><main>");
        if (document.Cases.Count > 0) Conformance(html, document);
        if (document.Load is { } load) Load(html, load);
        html.Append("</main></body></html>");
        return html.ToString();
    }

    private static string Headline(ResultsDocument d)
    {
        var summary = RunSummary.Of(d);
        var css = summary.Kind switch { HeadlineKind.Verified => "pass", HeadlineKind.Failed => "fail", _ =>
            "non-strict" };
        return $"<span class=\"badge {css}\">{E(summary.Headline)}</span>";
    }

    private static void Conformance(StringBuilder html, ResultsDocument d)
    {
        var s = d.Summary;
        html.Append("<h2>Conformance</h2><div class=\"tiles\">");
        Tile(html, s.Total.ToString(CultureInfo.InvariantCulture), "cases");
        Tile(html, $"<span class=\"ok\">{s.Pass}</span>", "pass");
        Tile(html, s.NonStrict.ToString(CultureInfo.InvariantCulture), "non-strict");
        Tile(html, s.Fail > 0 ? $"<span class=\"bad\">{s.Fail}</span>" : "0", "fail");
        Tile(html, s.Informational.ToString(CultureInfo.InvariantCulture), "informational");
        if (s.Crashes > 0) Tile(html, $"<span class=\"bad\">{s.Crashes}</span>", "crashes");
        html.Append("</div>");
        if (d.Causes.Count > 0)
        {
            html.Append(
                "<h3>Causes</h3><div class=\"wrap\"><table><tr>"
                + "<th>#</th><th>verdict</th><th class=\"num\">cases</th><th>example, and "
                + "the usual fix</th></tr>");
            foreach (var cause in d.Causes)
            {
                html.Append($"<tr><td>{cause.Id}</td><td><span class=\"badge "
                    + $"{Css(cause.Verdict)}\">{Css(cause.Verdict)}</span></td><td "
                    + $"class=\"num\">{cause.Cases.Count}</td>");
                html.Append(
                    $"<td>{E(UntrustedText.Excerpt(cause.Example, 300))}<br><span "
                    + $"class=\"muted\">{E(string.Join(", ", cause.Cases))}</span>");
                if (cause.Hint is { } hint) html.Append($"<br><b>Hint:</b> {E(hint)}");
                html.Append("</td></tr>");
            }
            html.Append("</table></div>");
        }
        foreach (var crash in d.Crashes)
            html.Append($"<p class=\"bad\">The server died after <code>{E(crash.Case)}</code> and was "
                + $"{(crash.Recovered ? $"back after {crash.DownMs / 1000:0.0} s" : "not back")}.</p>");
        foreach (var suite in d.Cases.GroupBy(c => c.Suite))
        {
            html.Append($"<h3>{E(suite.Key)} <span "
                + $"class=\"muted\">{suite.Count(c => c.Verdict == Verdict.Pass)}/{suite.Count()} "
                + $"pass</span></h3><div class=\"grid\">");
            foreach (var c in suite) html.Append(
                $"<span class=\"cell {Css(c.Verdict)}\" title=\"{E(c.Id)}: "
                + $"{Css(c.Verdict)}{(c.Reason.Length > 0 ? " — " + E(c.Reason) : "")}\"></span>");
            html.Append("</div><div class=\"wrap\"><table><tr>"
                + "<th>case</th><th>verdict</th><th class=\"num\">status</th><th>client "
                + "saw</th><th class=\"num\">ms</th><th>description</th></tr>");
            foreach (var c in suite)
            {
                html.Append($"<tr><td><code>{E(c.Id)}</code></td><td><span class=\"badge "
                    + $"{Css(c.Verdict)}\">{Css(c.Verdict)}"
                    + (c.Severity is { } sev ? $" · {VerdictWords.Word(sev)}" : "") + "</span></td>");
                var status = c.Outcome.Status?.ToString(CultureInfo.InvariantCulture) ?? "–";
                html.Append($"<td class=\"num\">{status}</td><td>{E(c.Outcome.ErrMsg)}</td>");
                html.Append($"<td class=\"num\">{c.Outcome.ElapsedMs:0}</td><td>{E(c.Description)}");
                if (c.Verdict != Verdict.Pass) Evidence(html, c);
                html.Append("</td></tr>");
            }
            html.Append("</table></div>");
        }
    }

    private static void Evidence(StringBuilder html, CaseResult c)
    {
        var r = c.Request;
        html.Append($"<details><summary><b>{E(c.Reason)}</b></summary>");
        if (c.Expectation.Length > 0) html.Append($"<p><b>Expected</b>: {E(c.Expectation)}</p>");
        html.Append(
            $"<p><b>Sent</b>: {E(r.Method)} {E(r.Url)} · platform {E(r.Platform)} · field <code>{E(r.Field)}</code> "
            + $"· {r.BodyBytes} body bytes");
        if (r.FormDataEncoding is { } enc) html.Append($" · formData {enc} ({r.FieldCount} fields)");
        if (r.Framing is { } framing) html.Append($" · {framing}");
        if (r.Boundary is { } b) html.Append($" · boundary <code>{E(b)}</code>");
        if (r.AbortAt is { } a) html.Append($" · abort at {E(a)}");
        if (r.TimeoutMs is { } t) html.Append($" · timeout {t} ms");
        if (r.Wire is { } wire) html.Append($"<br>{E(wire)}");
        foreach (var f in r.Files) html.Append(
            $"<br>file <code>{E(f.FileName)}</code> {E(f.ContentType)}, {f.Size} bytes, sha256 "
            + $"{E(f.Sha256[..Math.Min(16, f.Sha256.Length)])}…");
        var o = c.Outcome;
        html.Append($"</p><p><b>Got</b>: {E(o.ErrMsg)} · status "
            + (o.Status?.ToString(CultureInfo.InvariantCulture) ?? "none")
            + (o.Protocol is { } protocol ? " over " + E(protocol) : "")
            + $" · {E(o.ContentType ?? "no content type")} · {o.ElapsedMs:0.#} ms · sent {o.BytesSent} of "
                + $"{o.BytesExpected} bytes"
            + (o.Error is { } err ? " · " + E(err) : "") + "</p>");
        html.Append("<div class=\"wrap\"><table><tr><th>check</th><th></th><th>expected</th><th>actual</th></tr>");
        foreach (var k in c.Checks)
        {
            var mark = !k.Checked ? "<span class=\"muted\">not checked</span>"
                : k.Ok ? "<span class=\"ok\">✓</span>"
                : "<span class=\"bad\">✗</span>";
            html.Append($"<tr><td>{E(k.Name)}</td><td>{mark}</td>");
            html.Append($"<td>{E(k.Expected ?? "")}</td><td>{E(k.Actual ?? "")}</td></tr>");
        }
        html.Append("</table></div>");
        if (o.BodyExcerpt is { Length: > 0 } body) html.Append($"<pre>{E(body)}</pre>");
        html.Append("</details>");
    }

    private static void Load(StringBuilder html, LoadResults load)
    {
        var all = load.All;
        html.Append($"<h2>Load: {E(load.Scenario)}</h2><div class=\"tiles\">");
        Tile(html, all.Requests.ToString("N0", CultureInfo.InvariantCulture), "requests");
        Tile(html, all.Rps.ToString("0.0", CultureInfo.InvariantCulture), "requests/s");
        Tile(html, all.ErrorRatePercent > 0 ? $"<span class=\"bad\">{all.ErrorRatePercent:0.##}%</span>" : "0%",
            "error rate");
        Tile(html, $"{all.Latency.P50:0.0} ms", "p50 latency");
        Tile(html, $"{all.Latency.P99:0.0} ms", "p99 latency");
        Tile(html, $"{all.ServiceTime.P99:0.0} ms", "p99 service time");
        Tile(html, all.Dropped > 0 ? $"<span class=\"bad\">{all.Dropped}</span>" : "0", "dropped");
        Tile(html, $"{all.BytesSent / 1048576.0:0.#} MiB", "uploaded");
        Tile(html, load.TlsHandshakes > 0 ? $"{load.Connections} / {load.TlsHandshakes}"
            : load.Connections.ToString(CultureInfo.InvariantCulture), load.TlsHandshakes > 0
            ? "connections / TLS handshakes" : "connections");
        html.Append("</div>");

        if (load.Thresholds.Count > 0)
        {
            html.Append("<h3>Thresholds</h3><div class=\"wrap\"><table><tr>"
                + "<th></th><th>threshold</th><th class=\"num\">actual</th></tr>");
            foreach (var t in load.Thresholds)
            {
                var badge = t.Passed ? "<span class=\"badge pass\">pass</span>"
                    : "<span class=\"badge fail\">fail</span>";
                html.Append(
                    $"<tr><td>{badge}</td><td><code>{E(t.Text)}</code></td><td "
                    + $"class=\"num\">{t.ActualText}</td></tr>");
            }
            html.Append("</table></div>");
        }

        var series = load.Series;
        html.Append("<div class=\"charts\">");
        html.Append(SvgChart.Lines("Requests and failures per second", "second", "per second",
        [
            new("requests", "#0969da", series.Select(s => ((double)s.Second, (double)s.Requests)).ToList()),
            new("failed", "#cf222e", series.Select(s => ((double)s.Second, (double)s.Failed)).ToList()),
            new("dropped", "#bf8700", series.Select(s => ((double)s.Second, (double)s.Dropped)).ToList()),
        ]));
        html.Append(SvgChart.Lines("Uploads in flight (the most at once, each second)", "second", "uploads",
        [
            new("in flight", "#8250df", series.Select(s => ((double)s.Second, (double)s.InFlight)).ToList()),
        ]));
        if (series.Any(s => s.SendingHistogram is not null))
            html.Append(SvgChart.Lines("Phases over time (p95): a connection, the link, the server, the answer",
                "second", "ms",
            [
                new("blocked p95", "#6e7781", series.Select(s => ((double)s.Second, s.BlockedP95Ms)).ToList()),
                new("sending p95", "#0969da", series.Select(s => ((double)s.Second, s.SendingP95Ms)).ToList()),
                new("waiting p95", "#bf8700", series.Select(s => ((double)s.Second, s.WaitingP95Ms)).ToList()),
                new("receiving p95", "#1a7f37", series.Select(s => ((double)s.Second, s.ReceivingP95Ms)).ToList()),
            ]));
        html.Append(
            SvgChart.Lines("Latency over time (from the intended start, coordinated omission corrected)", "second",
            "ms",
        [
            new("p50", "#1a7f37", series.Select(s => ((double)s.Second, s.P50Ms)).ToList()),
            new("p95", "#0969da", series.Select(s => ((double)s.Second, s.P95Ms)).ToList()),
            new("p99", "#8250df", series.Select(s => ((double)s.Second, s.P99Ms)).ToList()),
            new("max", "#cf222e", series.Select(s => ((double)s.Second, s.MaxMs)).ToList()),
        ]));
        html.Append(SvgChart.Lines("Service time over time (from the first body byte)", "second", "ms",
        [
            new("p50", "#1a7f37", series.Select(s => ((double)s.Second, s.ServiceP50Ms)).ToList()),
            new("p95", "#0969da", series.Select(s => ((double)s.Second, s.ServiceP95Ms)).ToList()),
            new("p99", "#8250df", series.Select(s => ((double)s.Second, s.ServiceP99Ms)).ToList()),
            new("max", "#cf222e", series.Select(s => ((double)s.Second, s.ServiceMaxMs)).ToList()),
        ]));
        html.Append(SvgChart.Lines("Latency by percentile (HdrHistogram)", "percentile", "ms",
        [
            new("latency (corrected)", "#cf222e", Percentiles(all.LatencyHistogram)),
            new("service time", "#0969da", Percentiles(all.ServiceTimeHistogram)),
        ], logX: true, xTick: t => (100 * (1 - 1 / t)).ToString("0.###", CultureInfo.InvariantCulture) + "%"));
        html.Append(SvgChart.Lines("Upload throughput", "second", "MiB/s",
        [
            new("sent", "#0969da", series.Select(s => ((double)s.Second, s.BytesSent / 1048576.0)).ToList()),
        ]));
        html.Append("</div>");

        var summary = RunSummary.OfLoad(load);
        html.Append("<h3>By request name</h3>");
        AppendTable(html, summary.Table);
        html.Append("<p class=\"muted\">Latencies in milliseconds from each request's intended start "
            + "(coordinated omission corrected); service time from its first body byte.</p>");
        if (summary.Phases is { } phases)
        {
            html.Append("<h3>Where the time went</h3>");
            AppendTable(html, phases);
            html.Append("<p class=\"muted\">Answered uploads, in milliseconds: blocked until the first body byte "
                + "(a free slot, a connection, connect, TLS); sending to the last byte; waiting after it for the "
                + "answer (the server's processing); receiving the answer. Upload bandwidth is body bytes over "
                + "sending time.</p>");
        }
        html.Append("<div class=\"charts\">");
        if (summary.Phases is not null)
            html.Append(LoadCharts.WhereTheTimeWent("Where the time went (each phase's p50 and p99)",
                [.. load.Names, all]));
        html.Append(LoadCharts.Ranges(all));
        html.Append(LoadCharts.LatencyDistribution(all));
        if (summary.Phases is not null) html.Append(LoadCharts.BandwidthDistribution(all));
        html.Append("</div>");
        // Each request name on its own, when there are several to tell apart.
        if (load.Names.Count > 1)
            foreach (var name in load.Names)
            {
                html.Append($"<h3>Request name: {E(name.Name)}</h3>");
                LoadCharts.ForName(html, name);
            }
        if (summary.Workers is { } workers)
        {
            html.Append($"<h3>Load generators ({workers.Rows.Count})</h3>");
            AppendTable(html, workers);
            html.Append("<p class=\"muted\">Every figure above is merged from these generators exactly: counts "
                + "summed, histograms added.</p>");
        }
        html.Append("<h3>Status codes and errors</h3><div class=\"wrap\"><table><tr>"
            + "<th>status</th><th class=\"num\">count</th></tr>");
        foreach (var (status, count) in all.Statuses) html.Append(
            $"<tr><td>{E(status)}</td><td class=\"num\">{count}</td></tr>");
        foreach (var (error, count) in all.Errors) html.Append(
            $"<tr><td class=\"bad\">{E(error)}</td><td class=\"num\">{count}</td></tr>");
        foreach (var (check, count) in all.FailedChecks) html.Append(
            $"<tr><td class=\"bad\">check: {E(check)}</td><td class=\"num\">{count}</td></tr>");
        foreach (var (reason, count) in all.Retried ?? new Dictionary<string, long>()) html.Append(
            $"<tr><td>retried, {E(reason)} (never processed, sent again)</td><td class=\"num\">{count}</td></tr>");
        html.Append("</table></div>");
    }

    private static void AppendTable(StringBuilder html, SummaryTable table)
    {
        html.Append("<div class=\"wrap\"><table><tr>");
        foreach (var c in table.Columns) html.Append(c.Numeric ? $"<th class=\"num\">{E(c.Header)}</th>"
            : $"<th>{E(c.Header)}</th>");
        html.Append("</tr>");
        foreach (var row in table.Rows)
        {
            html.Append("<tr>");
            for (var i = 0; i < row.Count; i++) html.Append(table.Columns[i].Numeric
                ? $"<td class=\"num\">{E(row[i])}</td>" : $"<td><b>{E(row[i])}</b></td>");
            html.Append("</tr>");
        }
        html.Append("</table></div>");
    }

    private static IReadOnlyList<(double, double)> Percentiles(string encoded)
    {
        var h = HistogramCodec.Decode(encoded);
        if (h.TotalCount == 0) return [];
        return new[] { 0, 50, 75, 90, 95, 99, 99.9, 99.99, 99.999 }
            .Select(p => (1 / (1 - p / 100), h.GetValueAtPercentile(p) / 1000.0))
            .Append((1e6, HdrHistogram.HistogramExtensions.GetMaxValue(h) / 1000.0))
            .ToList();
    }

    private static void Tile(StringBuilder html, string value, string label) =>
        html.Append($"<div class=\"tile\"><b>{value}</b><span class=\"label\">{E(label)}</span></div>");

    /// <summary>The CSS class a verdict is shown with: its word.</summary>
    public static string Css(Verdict v) => VerdictWords.Word(v);

    /// <summary>HTML-encoded, with the control characters a target may have sent made visible.</summary>
    public static string E(string? text) => WebUtility.HtmlEncode(UntrustedText.ForMarkup(text));
}
