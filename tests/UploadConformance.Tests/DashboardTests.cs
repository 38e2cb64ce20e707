using System.Globalization;
using UploadConformance.Results;

namespace UploadConformance.Tests;

/// <summary><c>load --dashboard</c>: a page served by the tool while the run runs, updated by server-sent
/// events every second, that turns into the final report when the run ends. A load run and a browser at once:
/// it runs alone, with the timing tests, so it neither starves nor is starved by the parallel ones.</summary>
[Collection("timing")]
public class DashboardTests
{
    [Fact]
    public async Task The_dashboard_draws_the_run_mid_way_in_Chromium_and_ends_as_the_final_report()
    {
        await Browser.EnsureInstalledAsync();
        var port = StackFixture.FreePort();
        var dir = Path.Combine(Path.GetTempPath(), $"uc-dashboard-{Guid.NewGuid():N}");
        var scenario = dir + ".yaml";
        await File.WriteAllTextAsync(scenario, """
            name: dashboard
            mix:
              - { name: 小图, bytes: 20000 }
            load:
              - inject: { rate: 10, interval: 1s, during: 60s }
            """);
        var stdout = new StringWriter();
        // A minute at most: the test stops it, as Ctrl-C would, once it has seen the page mid-run.
        using var interrupt = new CancellationTokenSource();
        var run = Cli.Cli.RunAsync(["load", "--scenario", scenario, "--dashboard", $"127.0.0.1:{port}", "--out", dir],
            TextWriter.Synchronized(stdout), new StringWriter(), interrupt.Token);
        var page = new Uri($"http://127.0.0.1:{port}/");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        // Mid-run: the page is the report so far, charts drawn, in a real browser.
        string? first = null;
        for (var tries = 0; tries < 100 && !run.IsCompleted; tries++)
        {
            first = await TryGetAsync(http, page);
            if (first?.Contains("<path class=\"line\"", StringComparison.Ordinal) == true) break;
            // Polling a page that comes up once the engine's first second has closed; there is no event to await.
            await Task.Delay(100);
        }
        Assert.False(run.IsCompleted, "the run ended before its dashboard drew a line");
        var (dom, log) = await Browser.RunAsync("--dump-dom", page.AbsoluteUri);
        Assert.DoesNotContain("Uncaught", log);
        Assert.Contains("Load: dashboard", dom);
        Assert.Matches("<path class=\"line\" d=\"M[0-9.]+,[0-9.]+( L[0-9.]+,[0-9.]+)+\"", dom);
        Assert.Contains("小图", dom);

        // The events: updates while it runs, then, once it is interrupted, the final report as the last one.
        using var events = await http.GetAsync(new Uri(page, "/events"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", events.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await events.Content.ReadAsStreamAsync());
        var names = new List<string>();
        var last = new System.Text.StringBuilder();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await reader.ReadLineAsync(bound.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                names.Add(line[7..]);
                last.Clear();
                if (names[^1] == "update") await interrupt.CancelAsync();
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) last.Append(line[6..]).Append('\n');
            if (names.LastOrDefault() == "end" && line.Length == 0) break;
        }
        Assert.Equal(130, await run);
        Assert.Contains("update", names);
        Assert.Equal("end", names[^1]);

        // The final page's numbers are results.json's.
        var results = ResultsFile.Read(dir).Load!;
        var requests = results.All.Requests.ToString("N0", CultureInfo.InvariantCulture);
        Assert.Contains($"<b>{requests}</b><span class=\"label\">requests</span>", last.ToString());
        Assert.Contains($"{results.All.Latency.P99:0.0} ms</b><span class=\"label\">p99 latency", last.ToString());
        Assert.DoesNotContain("EventSource", last.ToString());
        Assert.Contains($"dashboard: http://127.0.0.1:{port}/", stdout.ToString());
    }

    private static async Task<string?> TryGetAsync(HttpClient http, Uri page)
    {
        try
        {
            return await http.GetStringAsync(page);
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}
