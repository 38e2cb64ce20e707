using System.Net;
using UploadConformance.Wire;

namespace UploadConformance.Cli;

/// <summary>The TLS options every verb that talks to a target takes.</summary>
public static class TlsArguments
{
    public static readonly string[] Values = ["ca", "http", "cert", "key"];
    public static readonly string[] Flags = ["insecure", "https"];

    public static (TlsOptions Tls, bool Https) Read(Arguments args)
    {
        var ca = args.Text("ca");
        var insecure = args.Flag("insecure");
        var https = args.Flag("https");
        var http = args.Text("http") switch
        {
            null or "1.1" => HttpVersion.Version11,
            "2" => HttpVersion.Version20,
            var other => throw new UsageException($"--http takes 1.1 or 2, not '{other}'"),
        };
        try
        {
            return (new TlsOptions { CaFile = ca, CertFile = args.Text("cert"), KeyFile = args.Text("key"), Insecure = insecure, Http = http }.Load(), https);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }

    public static void Announce(TlsOptions tls, TextWriter stdout)
    {
        if (tls.Insecure) stdout.WriteLine("WARNING: --insecure: TLS certificates are NOT checked; this run proves nothing about the target's certificate");
    }
}
