using System.Diagnostics;
using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace UploadConformance.Wire;

/// <summary>HTTP/1.1 over a plain socket, for requests HttpClient would refuse or repair. The answer
/// is read concurrently with sending, so a server that answers early (413 before the body) is seen,
/// and the whole exchange is bounded: a server that never answers is reported as a hang.</summary>
public static class RawHttpSender
{
    public static async Task<UploadOutcome> SendAsync(Uri url, RawRequest request, TimeSpan bound, CancellationToken cancellationToken, TlsOptions? tls = null)
    {
        var clock = Stopwatch.StartNew();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(bound);
        using var client = new TcpClient { NoDelay = true };
        long sent = 0;
        try
        {
            await client.ConnectAsync(url.Host, url.Port, limit.Token).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            return Failed(FailureKind.Refused, "uploadFile:fail connection refused", e.Message, 0, request, clock);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed(FailureKind.Timeout, "uploadFile:fail timeout", $"could not connect within {bound.TotalSeconds:0} s", 0, request, clock);
        }

        Stream stream = client.GetStream();
        if (url.Scheme == Uri.UriSchemeHttps)
        {
            tls ??= TlsOptions.Default;
            var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
            try
            {
                await ssl.AuthenticateAsClientAsync(tls.ClientOptions(url.IdnHost, http2: false), limit.Token).ConfigureAwait(false);
            }
            catch (AuthenticationException e)
            {
                await ssl.DisposeAsync().ConfigureAwait(false);
                return Failed(FailureKind.Tls, "uploadFile:fail ssl hand shake error", tls.LastRefusal ?? e.Message.ReplaceLineEndings(" "), 0, request, clock);
            }
            stream = ssl;
        }
        await using var _ = stream;
        var response = ReadResponseAsync(stream, limit.Token);
        try
        {
            var head = new StringBuilder($"{request.Method} {url.PathAndQuery} HTTP/1.1\r\n");
            if (!request.Headers.Any(h => h.Key.Equals("Host", StringComparison.OrdinalIgnoreCase)))
                head.Append($"Host: {url.Authority}\r\n");
            foreach (var (name, value) in request.Headers) head.Append($"{name}: {value}\r\n");
            head.Append("\r\n");
            var headBytes = Encoding.UTF8.GetBytes(head.ToString());
            await stream.WriteAsync(headBytes, limit.Token).ConfigureAwait(false);

            var answeredEarly = false;
            if (request.WaitBeforeBody is { } wait)
                answeredEarly = await Task.WhenAny(response, Task.Delay(wait, limit.Token)).ConfigureAwait(false) == response && response.IsCompletedSuccessfully;
            if (!answeredEarly)
            {
                var counting = new CountingWriteStream(stream, request.WriteChunkBytes);
                await request.Body.Write(counting, limit.Token).ConfigureAwait(false);
                sent = counting.Written;
                await stream.FlushAsync(limit.Token).ConfigureAwait(false);
                if (request.HalfCloseAfterBody) client.Client.Shutdown(SocketShutdown.Send);
            }
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            // The server closed while we were sending; what it answered, if anything, is still readable.
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }

        try
        {
            var answer = await response.ConfigureAwait(false);
            if (answer is null)
                return Failed(FailureKind.Reset, "uploadFile:fail socket closed", "the server closed the connection without an answer", sent, request, clock);
            return new UploadOutcome
            {
                ErrMsg = "uploadFile:ok",
                StatusCode = answer.Status,
                Data = answer.Body,
                ResponseContentType = answer.ContentType,
                Protocol = "HTTP/1.1",
                SawContinue = answer.SawContinue,
                BytesSent = sent,
                BytesExpected = request.Body.Length,
                Elapsed = clock.Elapsed,
            };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed(FailureKind.Timeout, "uploadFile:fail timeout", $"no answer within {bound.TotalSeconds:0} s (the server hangs)", sent, request, clock);
        }
        catch (Exception e) when (e is IOException or SocketException or FormatException)
        {
            return Failed(FailureKind.Reset, "uploadFile:fail socket closed", e.Message.ReplaceLineEndings(" "), sent, request, clock);
        }
    }

    private static UploadOutcome Failed(FailureKind kind, string errMsg, string error, long sent, RawRequest request, Stopwatch clock) => new()
    {
        ErrMsg = errMsg,
        Failure = kind,
        Error = error,
        BytesSent = sent,
        BytesExpected = request.Body.Length,
        Elapsed = clock.Elapsed,
    };

    private sealed record Answer(int Status, string? ContentType, string Body, bool SawContinue);

    private static async Task<Answer?> ReadResponseAsync(Stream stream, CancellationToken cancellationToken)
    {
        var reader = new ResponseReader(stream);
        var sawContinue = false;
        while (true)
        {
            var statusLine = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (statusLine is null) return null;
            var parts = statusLine.Split(' ', 3);
            if (parts.Length < 2 || !parts[0].StartsWith("HTTP/", StringComparison.Ordinal) || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status))
                throw new FormatException($"not an HTTP status line: {Truncate(statusLine)}");
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { Length: > 0 } line)
            {
                var colon = line.IndexOf(':');
                if (colon > 0) headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
            if (status is >= 100 and < 200)
            {
                sawContinue |= status == 100;
                continue;
            }
            byte[] body;
            if (headers.TryGetValue("Transfer-Encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
                body = await reader.ReadChunkedAsync(cancellationToken).ConfigureAwait(false);
            else if (headers.TryGetValue("Content-Length", out var cl) && long.TryParse(cl, NumberStyles.None, CultureInfo.InvariantCulture, out var length))
                body = await reader.ReadExactlyAsync((int)Math.Min(length, Uploader.MaxResponseBytes), cancellationToken).ConfigureAwait(false);
            else
                body = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            var span = body.AsSpan();
            if (span.StartsWith(Encoding.UTF8.Preamble)) span = span[3..];
            headers.TryGetValue("Content-Type", out var contentType);
            return new Answer(status, contentType, Encoding.UTF8.GetString(span), sawContinue);
        }
    }

    private static string Truncate(string s) => s.Length > 80 ? s[..80] + "…" : s;

    private sealed class ResponseReader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[16 * 1024];
        private int _start;
        private int _end;

        private async Task<bool> FillAsync(CancellationToken ct)
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length) throw new FormatException("response header line over 16 KiB");
            var read = await stream.ReadAsync(_buffer.AsMemory(_end), ct).ConfigureAwait(false);
            _end += read;
            return read > 0;
        }

        public async Task<string?> ReadLineAsync(CancellationToken ct)
        {
            while (true)
            {
                var lf = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                if (lf >= 0)
                {
                    var line = Encoding.Latin1.GetString(_buffer, _start, lf - _start).TrimEnd('\r');
                    _start = lf + 1;
                    return line;
                }
                if (!await FillAsync(ct).ConfigureAwait(false))
                    return _end > _start ? throw new IOException("connection closed mid-line") : null;
            }
        }

        public async Task<byte[]> ReadExactlyAsync(int count, CancellationToken ct)
        {
            var result = new byte[count];
            var filled = 0;
            while (filled < count)
            {
                if (_start == _end && !await FillAsync(ct).ConfigureAwait(false)) throw new IOException($"connection closed after {filled} of {count} body bytes");
                var take = Math.Min(count - filled, _end - _start);
                Buffer.BlockCopy(_buffer, _start, result, filled, take);
                _start += take;
                filled += take;
            }
            return result;
        }

        public async Task<byte[]> ReadChunkedAsync(CancellationToken ct)
        {
            using var body = new MemoryStream();
            while (true)
            {
                var sizeLine = await ReadLineAsync(ct).ConfigureAwait(false) ?? throw new IOException("connection closed inside a chunked body");
                var size = int.Parse(sizeLine.Split(';')[0].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (size == 0)
                {
                    while (await ReadLineAsync(ct).ConfigureAwait(false) is { Length: > 0 }) { }
                    return body.ToArray();
                }
                var chunk = await ReadExactlyAsync(size, ct).ConfigureAwait(false);
                if (body.Length < Uploader.MaxResponseBytes) body.Write(chunk);
                await ReadLineAsync(ct).ConfigureAwait(false);
            }
        }

        public async Task<byte[]> ReadToEndAsync(CancellationToken ct)
        {
            using var body = new MemoryStream();
            body.Write(_buffer, _start, _end - _start);
            _start = _end = 0;
            while (body.Length < Uploader.MaxResponseBytes && await FillAsync(ct).ConfigureAwait(false))
            {
                body.Write(_buffer, 0, _end);
                _start = _end = 0;
            }
            return body.ToArray();
        }
    }

    /// <summary>Counts what was written and, for tiny-chunk cases, splits writes and flushes each piece.</summary>
    private sealed class CountingWriteStream(Stream inner, int? chunkBytes) : Stream
    {
        public long Written { get; private set; }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => Written;
        public override long Position { get => Written; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var step = chunkBytes ?? buffer.Length;
            for (var i = 0; i < buffer.Length; i += step)
            {
                var piece = buffer.Slice(i, Math.Min(step, buffer.Length - i));
                await inner.WriteAsync(piece, cancellationToken).ConfigureAwait(false);
                if (chunkBytes is not null) await inner.FlushAsync(cancellationToken).ConfigureAwait(false);
                Written += piece.Length;
            }
        }
    }
}
