using System.CommandLine;
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
    public static Command Create(CliContext context)
    {
        var command =
            new Command("upload",
            "one upload of your own file or a generated payload of any size, verified, with the client's peak memory");
        var target = CliOptions.Target();
        var profile = CliOptions.Profile();
        var file = CliOptions.Text("--file", "path", "upload this file");
        var size = CliOptions.Size("--size", "…or a generated payload of this many bytes");
        var field = CliOptions.Field("the profile's, else images");
        var fileName =
            CliOptions.Text("--filename", "name", "the filename sent (default: the file's own, or tmp_<seed>.bin)");
        var contentType =
            CliOptions.Text("--content-type", "type", "the file part's Content-Type (default: from the extension)");
        var chunked = CliOptions.Flag("--chunked", "chunked transfer encoding instead of Content-Length");
        var abort = CliOptions.Text("--abort", "50%|bytes", "UploadTask.abort() after this share or this many bytes");
        var rate = CliOptions.Size("--rate", "a slow link: bytes a second");
        var timeout = CliOptions.Int("--timeout", "ms", "the client timeout (60000)", fallback: 60_000, min: 1);
        var seed = CliOptions.Seed();
        var output = CliOptions.Out();
        foreach (var option in new Option[] { target, profile, file, size, field, fileName, contentType, chunked, abort,
            rate, timeout, seed, output })
            command.Options.Add(option);
        var tlsArguments = new TlsArguments(command);
        command.SetAction(async (parse, _) =>
        {
            var url = parse.GetValue(target);
            var (tls, https) = tlsArguments.Read(parse, url);
            var seedValue = parse.GetValue(seed);
            var filePath = parse.GetValue(file);
            IPayload payload = (filePath, parse.GetValue(size)) switch
            {
                (not null, null) => OpenFile(filePath),
                (null, { } n) => new GeneratedPayload(n, (ulong)seedValue),
                (null, null) => throw new UsageException("upload needs --file <path> or --size <bytes>"),
                _ => throw new UsageException("give --file or --size, not both"),
            };
            var upload =
                new UploadFile(payload, parse.GetValue(fileName)
                ?? (filePath is null ? $"tmp_{seedValue:x8}.bin" : Path.GetFileName(filePath)),
                parse.GetValue(contentType) ?? GuessContentType(filePath));
            var wire = new WireOptions
            {
                Framing = parse.GetValue(chunked) ? Framing.Chunked : Framing.ContentLength,
                AbortAt = ParseAbort(parse.GetValue(abort)),
                RateCapBytesPerSecond = parse.GetValue(rate),
            };
            return await ExecuteAsync(context, new Options(new TargetChoice(url, parse.GetValue(profile), tls, https),
                parse.GetValue(field), upload, wire, parse.GetValue(timeout), seedValue, parse.GetValue(output)));
        });
        return command;
    }

    /// <summary>The command line, bound once.</summary>
    /// <param name="FieldGiven">--field; else the profile's field, else images.</param>
    public sealed record Options(TargetChoice Target, string? FieldGiven, UploadFile File, WireOptions Wire,
        int TimeoutMs, int Seed, string? OutDir);

    private static async Task<int> ExecuteAsync(CliContext context, Options options)
    {
        var (choice, fieldGiven, file, wire, timeoutMs, seed, outDir) = options;
        var (url, profilePath, tls, https) = choice;
        var stdout = context.Out;
        var payload = file.Payload;
        var started = DateTimeOffset.Now;
        var folder = context.Folders.Prepare(outDir, "upload", started);
        TlsArguments.Announce(tls, stdout);
        var embedded =
            new ReferenceServer.ReferenceServerOptions { FileField = fieldGiven ?? "images",
            MaxFileBytes = Math.Max(64L << 20, payload.Length + (1 << 20)), Https = https };
        await using var target = await Target.ResolveAsync(url, profilePath, embedded, tls, context.Token);
        using var http = Uploader.CreateHttpClient(target.Tls, TimeSpan.FromMinutes(10));
        // The limits graded against are the ones declared: a profile's, or the embedded server's own.
        // A bare --target declares none, so any refusal of this upload is the endpoint's.
        var declared = profilePath is null && !target.Embedded
            ? target.Profile with { Limits = new Targets.DeclaredLimits() }
            : target.Profile;
        // --field wins over the profile's field: it is what this upload sends.
        var field = fieldGiven ?? declared.Field;
        var profile = declared with { Field = field };

        var request = new UploadRequest
        {
            Url = target.UploadUrl,
            Name = field,
            File = file,
            TimeoutMs = timeoutMs,
            Header = PlatformProfile.WeChat.Headers(new PlatformContext(seed)),
        };
        var expectation = wire.AbortAt is null ? Expectation.StoredExactly : Expectation.Aborted;
        var plan = RequestPlan.For(request, FormDataEncoding.JsString, wire, seed, "wechat");
        var @case = new UploadCase("upload.one", "upload", $"one upload of {payload.Description}", plan, expectation);
        var overLimit = Grader.Effective(profile, expectation, SentUpload.Of(plan)) as Expectation.OverLimit;

        stdout.WriteLine($"uploading {payload.Description} ({payload.Length} bytes) to {target.Describe()}");
        if (overLimit is not null)
            stdout.WriteLine(
                $"  over the declared {overLimit.Limit} ({overLimit.What}): the endpoint should refuse it");
        var lastDecile = -1L;
        var clock = Stopwatch.StartNew();
        void Progress(long sent, long expected)
        {
            var decile = expected == 0 ? 10 : sent * 10 / expected;
            if (decile == lastDecile) return;
            lastDecile = decile;
            stdout.WriteLine(
                $"  progress {decile * 10,3}%  {sent} / {expected} bytes  "
                + $"{sent / Math.Max(clock.Elapsed.TotalSeconds, 1e-3) / (1 << 20):0.0} MiB/s");
        }

        using var uploader = new Uploader(target.Tls);
        var runner = new CaseRunner(uploader, http, profile);
        // What was asked for is this file, stored: a refusal is never a pass here, even one the rule
        // grades as right (over a declared limit) or as merely imperfect.
        CaseResult NeverPassRefused(CaseResult r)
        {
            if (wire.AbortAt is not null) return r;
            if (overLimit is not null && r.Verdict == Verdict.Pass)
                return r with
                {
                    Verdict = Verdict.Fail,
                    Severity = Severity.Soft,
                    Reason = $"not stored: refused as the profile's {overLimit.Limit} declares ({overLimit.What}); "
                        + "raise the limit, or upload less",
                };
            if (r.Verdict == Verdict.NonStrict && r.Checks.Any(c => c is { Name: "status", Ok: false }))
                return r with { Verdict = Verdict.Fail, Severity = Severity.Soft, Reason = $"not stored: {r.Reason}" };
            return r;
        }
        var run = await CaseSession.RunAsync([@case], runner, context, Progress, NeverPassRefused);
        using (var self = Process.GetCurrentProcess())
        {
            stdout.WriteLine($"client peak RSS: {self.PeakWorkingSet64 / (1 << 20)} MiB"
                + (target.Embedded
                    ? " (the embedded server runs in this process too; use --target for the client alone)" : ""));
        }
        foreach (var check in run.Results.SelectMany(r => r.Checks)) stdout.WriteLine(
            $"  {UploadConformance.Text.UntrustedText.ForTerminal(check.ToString())}");
        return await CaseSession.FinishAsync(new RunRecord("upload", started, folder, target, seed), run, context);
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
        if (text.EndsWith('%')
            && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var pct)
            && pct is > 0 and < 100)
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
