using System.Diagnostics;
using System.Globalization;
using UploadConformance.Payloads;
using UploadConformance.Requests;
using UploadConformance.Results;
using UploadConformance.Verification;
using UploadConformance.Wire;

namespace UploadConformance.Cli.Commands;

/// <summary><c>upload</c>: one wx.uploadFile-shaped upload of the user's own file or of a generated
/// payload of any size, verified end to end, with the client's peak memory reported.</summary>
public static class UploadCommand
{
    public static readonly Arguments.Spec Options = new("upload", ["target", "file", "size", "field", "filename", "content-type", "abort", "rate", "timeout", "seed", "out", .. TlsArguments.Values], ["chunked", .. TlsArguments.Flags]);

    public static async Task<int> ExecuteAsync(Arguments args, TextWriter stdout, CancellationToken cancellationToken)
    {
        var url = args.Url("target");
        var filePath = args.Text("file");
        var size = args.Bytes("size");
        var field = args.Text("field") ?? "images";
        var fileName = args.Text("filename");
        var contentType = args.Text("content-type");
        var chunked = args.Flag("chunked");
        var abort = ParseAbort(args.Text("abort"));
        var rate = args.Bytes("rate");
        var timeoutMs = args.Int("timeout", 60_000, 1);
        var seed = args.Int("seed", 1, 0);
        var outDir = args.Text("out");
        var (tls, https) = TlsArguments.Read(args);
        args.EnsureAllUsed();

        IPayload payload = (filePath, size) switch
        {
            (not null, null) => OpenFile(filePath),
            (null, { } n) => new GeneratedPayload(n, (ulong)seed),
            (null, null) => throw new UsageException("upload needs --file <path> or --size <bytes>"),
            _ => throw new UsageException("give --file or --size, not both"),
        };
        var started = DateTimeOffset.Now;
        TlsArguments.Announce(tls, stdout);
        await using var target = await Target.ResolveAsync(url, null, new ReferenceServer.ReferenceServerOptions { FileField = field, MaxFileBytes = Math.Max(64L << 20, payload.Length + (1 << 20)), Https = https }, tls, cancellationToken);
        using var http = Uploader.CreateHttpClient(target.Tls, TimeSpan.FromMinutes(10));

        var request = new UploadRequest
        {
            Url = target.UploadUrl,
            Name = field,
            File = new UploadFile(payload, fileName ?? (filePath is null ? $"tmp_{seed:x8}.bin" : Path.GetFileName(filePath)), contentType ?? GuessContentType(filePath)),
            TimeoutMs = timeoutMs,
            Header = PlatformProfile.WeChat.Headers(new PlatformContext(seed)),
        };
        var wire = new WireOptions { Framing = chunked ? Framing.Chunked : Framing.ContentLength, AbortAt = abort, RateCapBytesPerSecond = rate };
        var expectation = abort is null ? Expectation.StoredExactly : Expectation.Aborted;
        var @case = new UploadCase("upload.one", "upload", $"one upload of {payload.Description}", RequestPlan.For(request, FormDataEncoding.JsString, wire, seed, "wechat"), expectation);

        stdout.WriteLine($"uploading {payload.Description} ({payload.Length} bytes) to {target.UploadUrl}{(target.Embedded ? " (embedded reference server)" : "")}");
        var lastDecile = -1L;
        var clock = Stopwatch.StartNew();
        void Progress(long sent, long expected)
        {
            var decile = expected == 0 ? 10 : sent * 10 / expected;
            if (decile == lastDecile) return;
            lastDecile = decile;
            stdout.WriteLine($"  progress {decile * 10,3}%  {sent} / {expected} bytes  {sent / Math.Max(clock.Elapsed.TotalSeconds, 1e-3) / (1 << 20):0.0} MiB/s");
        }

        using var uploader = new Uploader(target.Tls);
        var runner = new CaseRunner(uploader, http, target.Profile with { Field = field });
        var run = await CaseSession.RunAsync([@case], runner, stdout, cancellationToken, Progress);
        using (var self = Process.GetCurrentProcess())
        {
            stdout.WriteLine($"client peak RSS: {self.PeakWorkingSet64 / (1 << 20)} MiB{(target.Embedded ? " (the embedded server runs in this process too; use --target for the client alone)" : "")}");
        }
        foreach (var check in run.Results.SelectMany(r => r.Checks)) stdout.WriteLine($"  {check}");
        return await CaseSession.FinishAsync("upload", started, ReportFolder.Resolve(outDir, "upload", started), target, seed, run, stdout);
    }

    private static FilePayload OpenFile(string path)
    {
        try
        {
            using (File.OpenRead(path)) { }
            return new FilePayload(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read --file {path}: {e.Message.ReplaceLineEndings(" ")}");
        }
    }

    private static AbortPoint? ParseAbort(string? text)
    {
        if (text is null) return null;
        if (text.EndsWith('%') && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var pct) && pct is > 0 and < 100)
            return AbortPoint.AtFraction(pct / 100);
        if (ByteSize.TryParse(text, out var bytes) && bytes > 0) return AbortPoint.AfterBytes(bytes);
        throw new UsageException($"--abort takes a percentage such as 50% or a byte count such as 1MiB, not '{text}'");
    }

    private static string GuessContentType(string? path) => Path.GetExtension(path ?? "").ToLowerInvariant() switch
    {
        ".jpg" or ".jpeg" => "image/jpeg",
        ".png" => "image/png",
        ".gif" => "image/gif",
        ".webp" => "image/webp",
        ".heic" => "image/heic",
        _ => "application/octet-stream",
    };
}
