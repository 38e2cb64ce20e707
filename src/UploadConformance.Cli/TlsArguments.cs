using System.CommandLine;
using System.Net;
using UploadConformance.Wire;

namespace UploadConformance.Cli;

/// <summary>Which target a verb talks to: a URL and its profile, or the embedded server (no URL), and
/// how to reach it over TLS.</summary>
public sealed record TargetChoice(Uri? Url, string? ProfilePath, TlsOptions Tls, bool Https);

/// <summary>The TLS options of every verb that talks to a target, declared once.</summary>
public sealed class TlsArguments
{
    private readonly Option<string?> _ca =
        CliOptions.Text("--ca", "pem", "trust this CA (a staging certificate authority)");
    private readonly Option<bool> _insecure =
        CliOptions.Flag("--insecure", "check no certificate (said loudly in every report)");
    private readonly Option<string?> _cert =
        CliOptions.Text("--cert", "pem", "send this client certificate (mutual TLS)");
    private readonly Option<string?> _key =
        CliOptions.Text("--key", "pem", "the client certificate's private key, when not in --cert");
    private readonly Option<string?> _http =
        CliOptions.Choice("--http", "the HTTP version; 2 on http:// is h2c with prior knowledge", "1.1", "2");
    private readonly Option<bool> _https =
        CliOptions.Flag("--https", "serve the embedded server over HTTPS (a certificate made at start)");

    /// <param name="embeddedServer">The verb can start the embedded server, so <c>--https</c> means something.</param>
    public TlsArguments(Command command, bool embeddedServer = true)
    {
        foreach (var option in new Option[] { _ca, _insecure, _cert, _key, _http }) command.Options.Add(option);
        if (embeddedServer) command.Options.Add(_https);
    }

    /// <summary>The TLS options, and whether the embedded server should serve HTTPS. <c>--https</c>
    /// with a <paramref name="target"/> would silently do nothing, so it is refused.</summary>
    public (TlsOptions Tls, bool Https) Read(ParseResult parse, Uri? target)
    {
        var https = parse.GetValue(_https);
        if (https && target is not null)
            throw new UsageException(target.Scheme == Uri.UriSchemeHttps
                ? "--https starts the embedded server over HTTPS; with --target, the URL's https:// already says it"
                : $"--https starts the embedded server over HTTPS; with --target give an https:// URL, not {target}");
        try
        {
            var tls = new TlsOptions
            {
                CaFile = parse.GetValue(_ca),
                CertFile = parse.GetValue(_cert),
                KeyFile = parse.GetValue(_key),
                Insecure = parse.GetValue(_insecure),
                Http = parse.GetValue(_http) == "2" ? HttpVersion.Version20 : HttpVersion.Version11,
            };
            return (tls.Load(), https);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }

    public static void Announce(TlsOptions tls, TextWriter stdout)
    {
        if (tls.Insecure)
            stdout.WriteLine(
                "WARNING: --insecure: TLS certificates are NOT checked; this run proves nothing about the target's "
                + "certificate");
    }
}
