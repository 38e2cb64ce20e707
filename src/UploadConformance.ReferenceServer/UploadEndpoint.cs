using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace UploadConformance.ReferenceServer;

/// <summary><c>POST /image</c>: parses the multipart body as it streams in, writes each file to disk
/// while hashing it, and answers the way the seed's backend does, <c>{code:0, data:{…}}</c>.
/// Every refusal is a JSON body with a 4xx status; nothing the client sends earns a 5xx.</summary>
public sealed class UploadEndpoint(ReferenceServerOptions options, FileStore store)
{
    private const int BufferSize = 64 * 1024;

    private readonly DefectPolicy _defects = new(options.Defects);

    public async Task HandleAsync(HttpContext context)
    {
        store.RequestStarted();
        int? status = null;
        var partials = new List<StoredFile>();
        try
        {
            status = await ReceiveAsync(context, partials);
        }
        catch (Rejection r)
        {
            status = await RefuseAsync(context, r.Status, r.Message, r.AsText);
        }
        catch (Exception e) when (ClientWentAway(context, e))
        {
            store.PartialUploadDiscarded();
            // A client that only half-closed is still listening; one that is gone makes this a no-op.
            status = await RefuseAsync(context, StatusCodes.Status400BadRequest,
                "the request body ended before it was complete");
        }
        catch (BadHttpRequestException e)
        {
            // Kestrel's own framing errors: a body shorter than Content-Length, a chunked body over the limit.
            if (e.StatusCode == StatusCodes.Status400BadRequest) store.PartialUploadDiscarded();
            status = await RefuseAsync(context, e.StatusCode, OneLine(e.Message));
        }
        catch (InvalidDataException e)
        {
            status = await RefuseAsync(context, _defects.MalformedStatus,
                "malformed multipart body: " + OneLine(e.Message));
        }
        catch (IOException e) when (e.HResult is Emfile or Enfile or Enospc)
        {
            // The server's own trouble (out of descriptors or disk), not the client's body: a 503, never a
            // 400 that would blame the request.
            store.PartialUploadDiscarded();
            status = await RefuseAsync(context, StatusCodes.Status503ServiceUnavailable,
                "cannot store the upload now: " + OneLine(e.Message));
        }
        catch (IOException e)
        {
            // MultipartReader's "Unexpected end of Stream": the closing boundary never came.
            store.PartialUploadDiscarded();
            await _defects.OnTruncatedBodyAsync(context, options.AccessLog);
            status = await RefuseAsync(context, _defects.MalformedStatus,
                "malformed multipart body: " + OneLine(e.Message));
        }
        finally
        {
            if (!_defects.KeepsPartialFiles)
                FileStore.Discard(partials.Where(p => p.Path.EndsWith(".partial", StringComparison.Ordinal)));
            store.RequestEnded(status);
            options.AccessLog?.WriteLine($"{DateTime.Now:HH:mm:ss.fff} {context.Request.Method} "
                + $"{context.Request.Path} {context.Request.ContentLength?.ToString() ?? "chunked"} -> "
                + $"{status?.ToString() ?? "client went away"}");
        }
    }

    private async Task<int> ReceiveAsync(HttpContext context, List<StoredFile> partials)
    {
        var request = context.Request;
        if (_defects.RefuseOnHeaders(request) is var (guardStatus, guardMessage))
            throw new Rejection(guardStatus, guardMessage, AsText: true);
        var maxRequest = _defects.RequestLimit(options.EffectiveMaxRequestBytes);
        if (request.ContentLength > maxRequest && _defects.EnforcesLimits)
            throw new Rejection(StatusCodes.Status413PayloadTooLarge,
                $"request body of {request.ContentLength} bytes is over the limit of {maxRequest}");
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
            sizeFeature.MaxRequestBodySize = _defects.EnforcesLimits ? maxRequest : null;

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) ||
            !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            throw new Rejection(StatusCodes.Status415UnsupportedMediaType,
                $"expected multipart/form-data, got '{request.ContentType}'");
        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
            throw new Rejection(StatusCodes.Status400BadRequest, "multipart/form-data without a boundary parameter");
        if (boundary.Length > 70 && !_defects.TakesLongBoundaries)
            throw new Rejection(StatusCodes.Status400BadRequest,
                $"boundary of {boundary.Length} characters; RFC 2046 allows 70");

        var body = options.ReadRate is { } rate ? new ReadRateStream(request.Body, rate) : request.Body;
        var reader = new MultipartReader(boundary, body)
        {
            HeadersLengthLimit = options.MaxPartHeaderBytes,
            HeadersCountLimit = 16,
        };
        var fields = new List<KeyValuePair<string, string>>();
        var parts = 0;
        var aborted = context.RequestAborted;
        while (await reader.ReadNextSectionAsync(aborted) is { } section)
        {
            if (++parts > options.MaxParts)
                throw new Rejection(StatusCodes.Status413PayloadTooLarge, $"more than {options.MaxParts} parts");
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) ||
                !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                throw new Rejection(StatusCodes.Status400BadRequest,
                    $"part {parts} has no Content-Disposition: form-data");
            // Quotes removed but backslashes kept: browsers (WHATWG) never escape a backslash, so
            // C:\dir\a.jpg must not lose them to quoted-string unescaping.
            var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value;
            if (string.IsNullOrEmpty(name))
                throw new Rejection(StatusCodes.Status400BadRequest, $"part {parts} has no name");
            name = _defects.FieldName(name);
            if (_defects.RefuseName(name) is { } refusal)
                throw new Rejection(StatusCodes.Status400BadRequest, refusal);

            if (disposition.FileName.HasValue || disposition.FileNameStar.HasValue)
            {
                var fileName = _defects.FileName(HeaderUtilities.RemoveQuotes(disposition.FileName).Value ?? "");
                var fileNameStar = disposition.FileNameStar.HasValue ? disposition.FileNameStar.Value : null;
                if (_defects.SkipsFile(partials.Count))
                {
                    await section.Body.CopyToAsync(Stream.Null, aborted);
                    continue;
                }
                var base64 = _defects.DecodesBase64(
                    section.Headers?.TryGetValue("Content-Transfer-Encoding", out var cte) == true
                        ? cte.ToString() : null);
                var stored = await ReceiveFileAsync(section, name, fileName, fileNameStar, partials, aborted, base64);
                if (stored is null) continue; // filename="" with no bytes: a browser's "no file chosen"
            }
            else
            {
                var value = await ReadFieldAsync(section, name, aborted);
                if (_defects.KeepsField(name)) fields.Add(new(name, value));
            }
        }

        var wanted = options.FileField;
        if (partials.Count == 0 && _defects.ResetsWhenNoFile)
        {
            context.Abort();
            return StatusCodes.Status400BadRequest;
        }
        if (!partials.Any(p => wanted == "*" || p.Field == wanted))
            throw new Rejection(StatusCodes.Status400BadRequest,
                partials.Count == 0 ? $"no file part; expected one under field '{wanted}'"
                : $"no file under field '{wanted}' (got '{partials[0].Field}')");

        if (_defects.AnswerInstead(partials) is { } instead)
        {
            // The partial files are discarded on the way out; the answer says 200 all the same.
            await context.Response.WriteAsJsonAsync(instead, ServerJson.Options, "application/json; charset=utf-8");
            return StatusCodes.Status200OK;
        }
        // The whole body is in; an image pipeline's time starts here (a timer, not a busy loop: load tests
        // measure it from the client).
        if (options.ProcessingTime > TimeSpan.Zero)
            await Task.Delay(options.ProcessingTime, context.RequestAborted);
        var committed = new List<StoredFile>(partials.Count);
        for (var i = 0; i < partials.Count; i++)
        {
            var stored = store.Commit(partials[i]);
            partials[i] = stored;
            committed.Add(stored);
        }
        // Behind a TLS terminator the request arrives as plain HTTP; the URL handed back must be the one clients use.
        var scheme = request.Headers["X-Forwarded-Proto"].FirstOrDefault() is { Length: > 0 } forwarded ? forwarded
            : request.Scheme;
        var baseUrl = $"{scheme}://{request.Host}";
        string Url(StoredFile f) => _defects.FileUrl(baseUrl, f);
        var files =
            committed.Select(f =>
            new UploadAnswer.FileData(f.Id, Url(f), f.Field, f.FileName, f.FileNameStar, f.ContentType, f.Size,
            f.Sha256)).ToList();
        var main = files.First(f => wanted == "*" || f.Field == wanted);
        var answer = new UploadAnswer(0, "ok", new UploadAnswer.UploadData(
            main.Id, main.Url, main.Field, main.Filename, main.FilenameStar, main.ContentType, main.Size, main.Sha256,
            fields.Select(f => new UploadAnswer.Field(f.Key, f.Value)).ToList(), files));
        await context.Response.WriteAsJsonAsync(answer, ServerJson.Options, "application/json; charset=utf-8");
        return StatusCodes.Status200OK;
    }

    private async Task<StoredFile?> ReceiveFileAsync(MultipartSection section, string field, string fileName,
        string? fileNameStar,
        List<StoredFile> partials, CancellationToken aborted, bool base64 = false)
    {
        var body = base64
            ? new CryptoStream(section.Body, new FromBase64Transform(FromBase64TransformMode.IgnoreWhiteSpaces),
                CryptoStreamMode.Read)
            : section.Body;
        var path = store.NewPartialPath(out var id);
        var contentType = section.ContentType ?? "application/octet-stream";
        var partial = new StoredFile(id, field, fileName, fileNameStar, contentType, 0, "", path);
        partials.Add(partial);
        long size = 0;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            await using var file =
                new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0,
                FileOptions.Asynchronous);
            int read;
            while ((read = await body.ReadAsync(buffer.AsMemory(0, BufferSize), aborted)) > 0)
            {
                size += read;
                if (size > options.MaxFileBytes && _defects.EnforcesLimits)
                    throw new Rejection(StatusCodes.Status413PayloadTooLarge,
                        $"file '{fileName}' is over the limit of {options.MaxFileBytes} bytes");
                hash.AppendData(buffer, 0, read);
                await file.WriteAsync(buffer.AsMemory(0, read), aborted);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        if (size == 0 && fileName.Length == 0 && fileNameStar is null)
        {
            partials.Remove(partial);
            File.Delete(path);
            return null;
        }
        var sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (_defects.TruncatesFiles && size > 0)
        {
            await using (var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite)) file.SetLength(--size);
            await using var stored = File.OpenRead(path);
            sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(stored, aborted));
        }
        var complete = partial with { Size = size, Sha256 = sha256 };
        partials[partials.IndexOf(partial)] = complete;
        return complete;
    }

    private async Task<string> ReadFieldAsync(MultipartSection section, string name, CancellationToken aborted)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(options.MaxFieldBytes + 1, 1 << 16));
        var collected = new ArrayBufferWriter<byte>();
        try
        {
            int read;
            while ((read = await section.Body.ReadAsync(buffer, aborted)) > 0)
            {
                if (collected.WrittenCount + read > options.MaxFieldBytes)
                    throw new Rejection(StatusCodes.Status413PayloadTooLarge,
                        $"field '{name}' is over the limit of {options.MaxFieldBytes} bytes");
                collected.Write(buffer.AsSpan(0, read));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return Encoding.UTF8.GetString(collected.WrittenSpan);
    }

    private static bool ClientWentAway(HttpContext context, Exception e) =>
        context.RequestAborted.IsCancellationRequested ||
        e is Microsoft.AspNetCore.Connections.ConnectionResetException ||
        e is BadHttpRequestException { Message: var m }
        && m.Contains("Unexpected end of request content", StringComparison.Ordinal);

    /// <summary>Answers with a JSON refusal; null when there was nobody left to answer.</summary>
    private async Task<int?> RefuseAsync(HttpContext context, int status, string message, bool asText = false)
    {
        if (context.Response.HasStarted || context.RequestAborted.IsCancellationRequested) return null;
        context.Response.StatusCode = status;
        // The rest of the body is not read; closing says so instead of leaving the client to guess.
        context.Response.Headers.Connection = "close";
        try
        {
            if (asText)
            {
                context.Response.ContentType = "text/plain";
                await context.Response.WriteAsync(message);
            }
            else if (_defects.RefusesAsHtml(status))
            {
                context.Response.ContentType = "text/html";
                await context.Response.WriteAsync(
                    $"<html><head><title>{status}</title></head><body><center><h1>{status}</h1></center>"
                    + "<hr><center>nginx</center></body></html>");
            }
            else
            {
                var error = _defects.ErrorText(message);
                await context.Response.WriteAsJsonAsync(new Refusal(status, error), ServerJson.Options,
                    "application/json; charset=utf-8");
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            return null;
        }
        return status;
    }

    // errno values .NET puts in an IOException's HResult on Linux: too many open files (process, system),
    // no space left on the device.
    private const int Emfile = 24;
    private const int Enfile = 23;
    private const int Enospc = 28;

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    /// <param name="AsText">Answered as text/plain, as a framework's default guard answers.</param>
    private sealed class Rejection(int status, string message, bool AsText = false) : Exception(message)
    {
        public int Status { get; } = status;
        public bool AsText { get; } = AsText;
    }
}

public sealed record Refusal(int Code, string Error);

public sealed record UploadAnswer(int Code, string Msg, UploadAnswer.UploadData Data)
{
    public sealed record UploadData(string Id, string Url, string Field, string Filename, string? FilenameStar,
        string ContentType, long Size, string Sha256, IReadOnlyList<Field> Fields, IReadOnlyList<FileData> Files);
    public sealed record Field(string Name, string Value);
    public sealed record FileData(string Id, string Url, string Field, string Filename, string? FilenameStar,
        string ContentType, long Size, string Sha256);
}

internal static class ServerJson
{
    public static readonly System.Text.Json.JsonSerializerOptions Options =
        new(System.Text.Json.JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
}
