using System.Net;
using UploadConformance.ReferenceServer;
using Server = UploadConformance.ReferenceServer.ReferenceServer;

namespace UploadConformance.Cli.Commands;

/// <summary><c>serve</c>: the reference server alone, for a user to point other tools at.</summary>
public static class ServeCommand
{
    public static readonly Arguments.Spec Options = new("serve", ["host", "port", "field", "max-file-bytes", "storage", "defect"], ["quiet", "https"]);

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
        args.EnsureAllUsed();
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
