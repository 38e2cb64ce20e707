using System.Net;
using UploadConformance.ReferenceServer;
using Server = UploadConformance.ReferenceServer.ReferenceServer;

namespace UploadConformance.Cli.Commands;

/// <summary><c>serve</c>: the reference server alone, for a user to point other tools at.</summary>
public static class ServeCommand
{
    public static readonly Arguments.Spec Options = new("serve", ["host", "port", "field", "max-file-bytes", "storage", "defect", "client-ca"], ["quiet", "https", "h2c"]);

    public static async Task<int> ExecuteAsync(Arguments args, TextWriter stdout, CancellationToken cancellationToken)
    {
        var host = args.Text("host") ?? "127.0.0.1";
        var port = args.Int("port", 8090, 0, 65535);
        var field = args.Text("field") ?? "images";
        var maxFile = args.Bytes("max-file-bytes") ?? 64L << 20;
        var storage = args.Text("storage");
        var quiet = args.Flag("quiet");
        var defectList = args.Text("defect");
        var https = args.Flag("https");
        var clientCa = args.Text("client-ca");
        var h2c = args.Flag("h2c");
        args.EnsureAllUsed();
        if (clientCa is not null && !https) throw new UsageException("--client-ca needs --https: client certificates are part of TLS");
        if (h2c && https) throw new UsageException("--h2c is cleartext HTTP/2; with --https the server offers HTTP/2 by ALPN already");
        if (clientCa is not null && !File.Exists(clientCa)) throw new UsageException($"--client-ca {clientCa}: no such file");
        if (!IPAddress.TryParse(host, out _)) throw new UsageException($"--host takes an IP address such as 127.0.0.1 or ::1, not '{host}'");

        ServerDefects defects;
        try
        {
            defects = defectList is null ? ServerDefects.None : ServerDefectNames.Parse(defectList);
        }
        catch (ArgumentException e)
        {
            throw new UsageException("--defect: " + e.Message);
        }
        var options = new ReferenceServerOptions
        {
            Defects = defects,
            Https = https,
            ClientCaFile = clientCa,
            H2c = h2c,
            Host = host,
            Port = port,
            FileField = field,
            MaxFileBytes = maxFile,
            StorageDirectory = storage,
            AccessLog = quiet ? null : TextWriter.Synchronized(stdout),
        };
        Server server;
        try
        {
            server = await Server.StartAsync(options, cancellationToken);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new UsageException($"--client-ca {clientCa}: {e.Message.ReplaceLineEndings(" ").Trim()}");
        }
        catch (IOException e)
        {
            throw new UsageException($"cannot listen on {host}:{port}: {e.Message.ReplaceLineEndings(" ")} (pick another with --port)");
        }
        await using (server)
        {
            stdout.WriteLine($"reference upload server on {server.BaseUrl}");
            stdout.WriteLine($"  POST {options.UploadPath}  multipart/form-data, file under field '{field}', files up to {options.MaxFileBytes} bytes");
            stdout.WriteLine("  GET  /files/{id}  the stored bytes · GET /stats  counters · GET /health");
            stdout.WriteLine($"  storage: {server.Store.StorageDirectory}{(storage is null ? " (deleted at exit)" : "")}");
            if (defects != ServerDefects.None) stdout.WriteLine($"  DEFECTS ON PURPOSE: {defects}");
            if (server.CertificatePath is { } pem) stdout.WriteLine($"  HTTPS (HTTP/1.1 and HTTP/2) with a certificate made at start; trust it with --ca {pem}");
            if (clientCa is not null) stdout.WriteLine($"  mutual TLS: a client certificate issued by {clientCa} is required (send one with --cert/--key)");
            if (h2c) stdout.WriteLine("  cleartext HTTP/2 only (prior knowledge): point clients at it with --http 2");
            stdout.WriteLine("Ctrl-C stops it.");
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }
        }
        return ExitCodes.Ok;
    }
}
