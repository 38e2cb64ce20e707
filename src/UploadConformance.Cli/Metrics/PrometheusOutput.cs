using System.Globalization;
using System.Net;
using System.Net.Sockets;
using OpenTelemetry.Metrics;

namespace UploadConformance.Cli;

public abstract partial record MetricsSink
{
    /// <summary>A scrape endpoint at http://host:port/metrics for the run's lifetime.</summary>
    public sealed record Prometheus(string Host, int Port) : MetricsSink
    {
        public const int DefaultPort = 9464;

        public string Url => $"http://{InUrl(Host)}:{Port}/metrics";

        public override string Argument => $"prometheus:{InUrl(Host)}:{Port}";

        public override ILiveOutput Open(string scenario, string runId, TextWriter stdout) =>
            PrometheusOutput.Open(this, scenario, runId, stdout);

        /// <summary><c>prometheus</c>, <c>prometheus:127.0.0.1:9464</c>, <c>prometheus:[::1]:9464</c>,
        /// <c>prometheus:0.0.0.0:9464</c> (every interface, in a pod).</summary>
        internal static MetricsSink Read(string text, string? rest)
        {
            if (rest is null) return new Prometheus("127.0.0.1", DefaultPort);
            if (Listening(rest) is { } endpoint) return new Prometheus(endpoint.Address.ToString(), endpoint.Port);
            throw new UsageException($"--metrics {text}: prometheus takes <ip>:<port>, such as "
                + $"prometheus:127.0.0.1:{DefaultPort}");
        }
    }
}

/// <summary>A scrape endpoint at http://host:port/metrics for the run's lifetime. At the end, a
/// Prometheus that has been scraping gets one more scrape to read the final figures (at most twice
/// its interval, and a minute): otherwise the run's last seconds never reach it.</summary>
public sealed class PrometheusOutput : MeterOutput
{
    private readonly MetricsSink.Prometheus _sink;

    private PrometheusOutput(MetricsSink.Prometheus sink, string scenario, string runId)
        : base(scenario, runId, builder => builder.AddPrometheusHttpListener(o =>
        {
            o.Host = sink.Host is "0.0.0.0" or "::" ? "*" : sink.Host;
            o.Port = sink.Port;
            o.ScrapeResponseCacheDurationMilliseconds = 0;
        })) => _sink = sink;

    /// <exception cref="UsageException">The port is taken, or the address is not this machine's.</exception>
    public static PrometheusOutput Open(MetricsSink.Prometheus sink, string scenario, string runId,
        TextWriter stdout)
    {
        PortFree(sink);
        PrometheusOutput output;
        try
        {
            output = new PrometheusOutput(sink, scenario, runId);
        }
        catch (Exception e) when (e is not UsageException)
        {
            throw new UsageException($"--metrics: cannot serve {sink.Url}: {e.GetBaseException().Message}");
        }
        stdout.WriteLine($"metrics: Prometheus can scrape {sink.Url}");
        return output;
    }

    public override async Task FinishAsync(TextWriter stdout, CancellationToken cancellationToken)
    {
        // Only a Prometheus that scrapes regularly and lately gets waited for: one curl of the
        // endpoint made a run wait 22 s for a scrape that never came.
        if (Meter.Scraping() is not var (interval, since) || since > 2 * interval + TimeSpan.FromSeconds(1)
            || cancellationToken.IsCancellationRequested)
            return;
        var bound = TimeSpan.FromSeconds(Math.Clamp(2 * interval.TotalSeconds + 1, 2, 60));
        var scraped = Meter.NextCollectionAsync();
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"metrics: waiting for the last scrape of {_sink.Url} (at most {bound.TotalSeconds:0} s)"));
        try
        {
            await scraped.WaitAsync(bound, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            stdout.WriteLine("metrics: no scrape came; Prometheus did not get the last figures");
        }
        catch (OperationCanceledException)
        {
            // Stopped by a signal: what matters is on disk already.
        }
    }

    /// <summary>HttpListener reports a taken port late and vaguely; a bind says it at once.</summary>
    private static void PortFree(MetricsSink.Prometheus sink)
    {
        var address = sink.Host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(sink.Host);
        using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            probe.Bind(new IPEndPoint(address, sink.Port));
        }
        catch (SocketException e)
        {
            throw new UsageException(e.SocketErrorCode == SocketError.AddressAlreadyInUse
                ? $"--metrics: port {sink.Port} is in use; choose another with prometheus:{sink.Host}:<port>"
                : $"--metrics: cannot listen on {sink.Url}: {e.Message}");
        }
    }
}
