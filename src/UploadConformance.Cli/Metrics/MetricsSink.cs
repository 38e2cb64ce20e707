namespace UploadConformance.Cli;

/// <summary>One <c>--metrics</c> output. Each kind lives beside its output (<see cref="PrometheusOutput"/>,
/// <see cref="OtlpOutput"/>) as a nested record of this partial one; a new kind is a file and a row in
/// <see cref="Kinds"/>.</summary>
public abstract partial record MetricsSink
{
    /// <summary>Every kind <c>--metrics</c> knows: its name, its syntax for help texts, and how it reads
    /// what follows the colon (null when nothing does).</summary>
    private static readonly (string Name, string Syntax, Func<string, string?, MetricsSink> Read)[] Kinds =
    [
        ("prometheus", "prometheus[:<host>:<port>]", Prometheus.Read),
        ("otlp", "otlp[:<url>]", Otlp.Read),
        ("dashboard", "dashboard[:<host>:<port>]", Dashboard.Read),
    ];

    public static string Grammar => string.Join(" or ", Kinds.Select(k => k.Syntax));

    /// <summary>The sink as <c>--metrics</c> takes it.</summary>
    public abstract string Argument { get; }

    /// <summary>Opens this output for a run (see <see cref="ILiveOutput"/>).</summary>
    public abstract ILiveOutput Open(string scenario, string runId, TextWriter stdout);

    /// <summary>A host as it stands in a URL or an argument: an IPv6 address in brackets.</summary>
    protected static string InUrl(string host) => host.Contains(':') ? $"[{host}]" : host;

    /// <summary>What follows a listening sink's colon: <c>ip:port</c>, such as <c>127.0.0.1:9464</c> or
    /// <c>[::1]:9464</c>; null when it is not one.</summary>
    protected static System.Net.IPEndPoint? Listening(string rest) =>
        System.Net.IPEndPoint.TryParse(rest, out var endpoint) && endpoint.Port > 0 && rest.Contains(':')
            ? endpoint : null;

    /// <summary>Reads one sink, <c>kind</c> or <c>kind:rest</c>.</summary>
    /// <exception cref="UsageException">An unknown kind, or a rest its kind does not take.</exception>
    public static MetricsSink Parse(string text)
    {
        var colon = text.IndexOf(':');
        var (name, rest) = colon >= 0 ? (text[..colon], text[(colon + 1)..]) : (text, null);
        foreach (var kind in Kinds)
            if (kind.Name == name) return kind.Read(text, rest);
        throw new UsageException($"--metrics: unknown sink '{text}'; the sinks are {Grammar}");
    }
}
