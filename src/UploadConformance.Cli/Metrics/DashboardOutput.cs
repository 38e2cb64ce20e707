using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using UploadConformance.Live;
using UploadConformance.Reporting;

namespace UploadConformance.Cli;

public abstract partial record MetricsSink
{
    /// <summary>A web page of the run, served by the tool itself, updated every second.</summary>
    public sealed record Dashboard(string Host, int Port) : MetricsSink
    {
        public const int DefaultPort = 5665;

        public string Url => $"http://{InUrl(Host)}:{Port}/";

        public override string Argument => $"dashboard:{InUrl(Host)}:{Port}";

        public override ILiveOutput Open(string scenario, string runId, TextWriter stdout) =>
            DashboardOutput.Open(this, stdout);

        /// <summary><c>dashboard</c> (127.0.0.1:5665, as k6's), <c>dashboard:127.0.0.1:8080</c>.</summary>
        internal static MetricsSink Read(string text, string? rest)
        {
            if (rest is null) return new Dashboard("127.0.0.1", DefaultPort);
            if (Listening(rest) is { } endpoint) return new Dashboard(endpoint.Address.ToString(), endpoint.Port);
            throw new UsageException($"--dashboard {rest}: takes <ip>:<port>, such as 127.0.0.1:{DefaultPort}");
        }
    }
}

/// <summary>The live dashboard, as k6's web dashboard: while the run runs, its page is the HTML report of the
/// figures so far (the same charts, drawn by the same code), and server-sent events replace the page's body
/// every second; when the run ends, the last event turns the page into the final report. No script or style
/// comes from anywhere but this process.</summary>
public sealed class DashboardOutput : ILiveOutput
{
    /// <summary>Replaces the body with each update; at the end, the whole document with the final report.</summary>
    private const string Script = """
        <script>(function () {
          if (!window.EventSource) return;
          var events = new EventSource('/events');
          events.addEventListener('update', function (e) { document.body.innerHTML = e.data; });
          events.addEventListener('end', function (e) {
            events.close(); document.open(); document.write(e.data); document.close();
          });
        })();</script>
        """;

    private readonly WebApplication _app;
    private readonly MetricsSink.Dashboard _sink;
    private readonly List<(HttpResponse Response, TaskCompletionSource Done)> _listeners = [];
    private readonly SemaphoreSlim _sending = new(1, 1);
    private volatile string _page = "<!DOCTYPE html><html><body><p>the run is starting…</p>" + Script
        + "</body></html>";
    private string? _final;

    private DashboardOutput(WebApplication app, MetricsSink.Dashboard sink)
    {
        _app = app;
        _sink = sink;
        app.MapGet("/", () => Microsoft.AspNetCore.Http.Results.Content(_final ?? _page, "text/html; charset=utf-8"));
        app.MapGet("/events", ListenAsync);
    }

    /// <exception cref="UsageException">The port is taken, or the address is not this machine's.</exception>
    public static DashboardOutput Open(MetricsSink.Dashboard sink, TextWriter stdout)
    {
        var app = Cluster.SlimWebHost.Build(new IPEndPoint(IPAddress.Parse(sink.Host), sink.Port));
        var output = new DashboardOutput(app, sink);
        try
        {
            app.StartAsync().GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            app.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw new UsageException($"--dashboard: cannot serve {sink.Url}: {e.GetBaseException().Message}");
        }
        stdout.WriteLine($"dashboard: {sink.Url} (live while the run runs, the final report at its end)");
        return output;
    }

    public void Publish(LiveTotals totals)
    {
        if (totals.Report is not { } report) return;
        var page = new HtmlReport().Render(report());
        _page = page.Replace("</body>", Script + "</body>", StringComparison.Ordinal);
        _ = SendAsync("update", Body(page));
    }

    /// <summary>Turns every open page into the final report (the last <see cref="Publish"/>), then serves it at /
    /// until the process ends.</summary>
    public async Task FinishAsync(TextWriter stdout, CancellationToken cancellationToken)
    {
        _final = _page.Replace(Script, "", StringComparison.Ordinal);
        await SendAsync("end", _final).ConfigureAwait(false);
        List<TaskCompletionSource> open;
        lock (_listeners) open = [.. _listeners.Select(l => l.Done)];
        foreach (var done in open) done.TrySetResult();
    }

    private async Task ListenAsync(HttpContext context)
    {
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _sending.WaitAsync(context.RequestAborted).ConfigureAwait(false);
        try
        {
            // A page opened after the end gets the final report at once; one opened mid-run, the next tick.
            if (_final is { } final)
            {
                await WriteEventAsync(context.Response, "end", final).ConfigureAwait(false);
                return;
            }
            await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            lock (_listeners) _listeners.Add((context.Response, done));
        }
        finally
        {
            _sending.Release();
        }
        try
        {
            await done.Task.WaitAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        lock (_listeners) _listeners.RemoveAll(l => l.Done == done);
    }

    /// <summary>Sends one event to every open page, in order; a page that went away is dropped.</summary>
    private async Task SendAsync(string name, string data)
    {
        await _sending.WaitAsync().ConfigureAwait(false);
        try
        {
            List<(HttpResponse Response, TaskCompletionSource Done)> listeners;
            lock (_listeners) listeners = [.. _listeners];
            foreach (var (response, done) in listeners)
            {
                try
                {
                    await WriteEventAsync(response, name, data).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
                {
                    done.TrySetResult();
                }
            }
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>One server-sent event; each line of the data is a <c>data:</c> line, which the browser joins.</summary>
    private static async Task WriteEventAsync(HttpResponse response, string name, string data)
    {
        var text = new StringBuilder($"event: {name}\n");
        foreach (var line in data.Split('\n')) text.Append("data: ").Append(line.TrimEnd('\r')).Append('\n');
        text.Append('\n');
        await response.WriteAsync(text.ToString()).ConfigureAwait(false);
        await response.Body.FlushAsync().ConfigureAwait(false);
    }

    private static string Body(string page)
    {
        var start = page.IndexOf("<body>", StringComparison.Ordinal) + "<body>".Length;
        var end = page.LastIndexOf("</body>", StringComparison.Ordinal);
        return page[start..end];
    }

    public void Dispose()
    {
        lock (_listeners)
            foreach (var (_, done) in _listeners) done.TrySetResult();
        _app.StopAsync().GetAwaiter().GetResult();
        _app.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _sending.Dispose();
    }
}
