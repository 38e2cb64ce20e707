using System.CommandLine;
using System.Net;
using UploadConformance.ReferenceServer;
using Server = UploadConformance.ReferenceServer.ReferenceServer;

namespace UploadConformance.Cli.Commands;

/// <summary><c>serve</c>: the reference server alone, for a user to point other tools at. It runs until
/// Ctrl-C (exit 130) or SIGTERM (exit 143), then stops within a second and removes its storage.</summary>
public static class ServeCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("serve", "the reference upload server alone, for other tools");
        var host = CliOptions.Address("--host", "the address to listen on (127.0.0.1)", IPAddress.Loopback);
        var port = CliOptions.Int("--port", "n", "the port (8090; 0 picks a free one)", fallback: 8090, min: 0,
            max: 65535);
        var field = CliOptions.Field("images");
        var maxFile = CliOptions.Size("--max-file-bytes", "the largest file it stores (64MiB)");
        var storage =
            CliOptions.Text("--storage", "dir", "keep uploads here (default: a temporary folder, removed at exit)");
        var keep = CliOptions.Size("--keep",
            "keep the newest stored files up to this size on disk (1GiB); older ones are removed, /stats counts all");
        var defect = CliOptions.Text("--defect", "name[,name]", "bugs on purpose, to see the suite catch them: "
            + string.Join(", ", ServerDefectNames.All.Select(ServerDefectNames.Name)));
        defect.CompletionSources.Add(ServerDefectNames.All.Select(ServerDefectNames.Name).ToArray());
        var quiet = CliOptions.Flag("--quiet", "no access log");
        var https = CliOptions.Flag("--https", "HTTPS (HTTP/1.1 and HTTP/2) with a certificate made at start");
        var clientCa =
            CliOptions.Text("--client-ca", "pem", "with --https: require client certificates issued by this CA");
        var h2c = CliOptions.Flag("--h2c", "cleartext HTTP/2 only, with prior knowledge");
        var processing = CliOptions.Duration("--processing-time", "time",
            "work this long on each stored upload before answering, as an image pipeline would (0)");
        var readRate = CliOptions.Size("--read-rate",
            "read each upload's body no faster than this many bytes a second, as a slow disk would (no limit)");
        var tokenLifetime = CliOptions.Duration("--token-lifetime", "time",
            "how long a /flow/login session token is honoured; the app logs in again after a 401 (2h)");
        var credentialLifetime = CliOptions.Duration("--credential-lifetime", "time",
            "how long a /flow/credential policy or token is valid (15s)");
        foreach (var option in new Option[] { host, port, field, maxFile, storage, keep, defect, quiet, https,
            clientCa, h2c, processing, readRate, tokenLifetime, credentialLifetime }) command.Options.Add(option);
        command.SetAction(async (parse, _) =>
        {
            var options =
                Options(parse.GetValue(host)!, parse.GetValue(port), parse.GetValue(field) ?? "images",
                parse.GetValue(maxFile),
                parse.GetValue(storage), parse.GetValue(defect), parse.GetValue(https), parse.GetValue(clientCa),
                parse.GetValue(h2c));
            return await ExecuteAsync(context, options with
            {
                AccessLog = parse.GetValue(quiet) ? null : TextWriter.Synchronized(context.Out),
                KeepBytes = parse.GetValue(keep) ?? ReferenceServerOptions.DefaultKeepBytes,
                ProcessingTime = parse.GetValue(processing) ?? TimeSpan.Zero,
                ReadRate = parse.GetValue(readRate),
                TokenLifetime = parse.GetValue(tokenLifetime) ?? new ReferenceServerOptions().TokenLifetime,
                CredentialLifetime = parse.GetValue(credentialLifetime)
                    ?? new ReferenceServerOptions().CredentialLifetime,
                // A socket and a file per upload at most, within the open-file limit less what the server
                // itself holds (about 200 descriptors measured: assemblies, pipes, its log).
                MaxConnections = Load.OpenFileLimit.Current() is { } limit
                    ? Math.Max(1, (limit - 4 * Load.OpenFileLimit.Reserve) / 2) : null,
            });
        });
        return command;
    }

    private static ReferenceServerOptions Options(IPAddress host, int port, string field, long? maxFile,
        string? storage, string? defectList,
        bool https, string? clientCa, bool h2c)
    {
        if (clientCa is not null
            && !https) throw new UsageException("--client-ca needs --https: client certificates are part of TLS");
        if (h2c && https) throw new UsageException(
            "--h2c is cleartext HTTP/2; with --https the server offers HTTP/2 by ALPN already");
        if (clientCa is not null
            && !File.Exists(clientCa)) throw new UsageException($"--client-ca {clientCa}: no such file");
        if (storage is not null
            && File.Exists(storage)) throw new UsageException($"--storage {storage}: is a file, not a folder");
        ServerDefects defects;
        try
        {
            defects = defectList is null ? ServerDefects.None : ServerDefectNames.Parse(defectList);
        }
        catch (ArgumentException e)
        {
            throw new UsageException("--defect: " + e.Message);
        }
        return new ReferenceServerOptions
        {
            Defects = defects,
            Https = https,
            ClientCaFile = clientCa,
            H2c = h2c,
            Host = host.ToString(),
            Port = port,
            FileField = field,
            MaxFileBytes = maxFile ?? 64L << 20,
            StorageDirectory = storage,
        };
    }

    private static async Task<int> ExecuteAsync(CliContext context, ReferenceServerOptions options)
    {
        var stdout = context.Out;
        Server server;
        try
        {
            server = await Server.StartAsync(options, context.Token);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new UsageException($"--client-ca {options.ClientCaFile}: {e.Message.ReplaceLineEndings(" ").Trim()}");
        }
        catch (ReferenceServerStartException e)
        {
            throw new UsageException(e.Message);
        }
        await using (server)
        {
            stdout.WriteLine($"reference upload server on {server.BaseUrl}");
            stdout.WriteLine(
                $"  POST {options.UploadPath}  multipart/form-data, file under field '{options.FileField}', "
                + $"files up to {options.MaxFileBytes} bytes");
            stdout.WriteLine("  GET  /files/{id}  the stored bytes · GET /stats  counters · GET /health");
            stdout.WriteLine("  POST /s3/uc-bucket, /oss/uc-bucket, /cos/uc-bucket, /qiniu  form uploads checked as "
                + "each store documents (policy, signature, expiry; fake keys) · GET /{provider}/uc-bucket/{key}");
            stdout.WriteLine("  POST /flow/login · GET /flow/credential/{s3|oss|cos|qiniu} · POST /flow/confirm · "
                + "POST /flow/image (the upload, behind the login): a mini-program's backend (profiles/*.yaml)");
            if (options.MaxConnections is { } most)
                stdout.WriteLine($"  up to {most} connections at once (a socket and a file each, within the "
                    + "open-file limit; raise it with ulimit -n for more)");
            stdout.WriteLine(
                $"  storage: {server.Store.StorageDirectory}"
                + $" (the newest {Payloads.ByteSize.Format(options.KeepBytes)} of files kept"
                + (options.StorageDirectory is null ? "; deleted at exit)" : ")"));
            if (options.Defects != ServerDefects.None) stdout.WriteLine(
                $"  DEFECTS ON PURPOSE: {ServerDefectNames.Names(options.Defects)}");
            if (server.CertificatePath is { } pem) stdout.WriteLine(
                $"  HTTPS (HTTP/1.1 and HTTP/2) with a certificate made at start; trust it with --ca {pem}");
            if (options.ClientCaFile is { } ca) stdout.WriteLine(
                $"  mutual TLS: a client certificate issued by {ca} is required (send one with --cert/--key)");
            if (options.H2c) stdout.WriteLine(
                "  cleartext HTTP/2 only (prior knowledge): point clients at it with --http 2");
            stdout.WriteLine("Ctrl-C or SIGTERM stops it.");
            try
            {
                await Task.Delay(Timeout.Infinite, context.Token);
            }
            catch (OperationCanceledException)
            {
            }
            stdout.WriteLine($"stopping: {context.Stop.Reason}");
        }
        return context.Stop.ExitCode;
    }
}
