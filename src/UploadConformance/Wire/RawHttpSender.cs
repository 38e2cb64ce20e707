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
    public static async Task<UploadOutcome> SendAsync(Uri url, RawRequest request, TimeSpan bound,
        CancellationToken cancellationToken, TlsOptions? tls = null)
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
            return Failed(FailureKind.Timeout, "uploadFile:fail timeout",
                $"could not connect within {bound.TotalSeconds:0} s", 0, request, clock);
        }

        Stream stream = client.GetStream();
        if (url.Scheme == Uri.UriSchemeHttps)
        {
            tls ??= TlsOptions.Default;
            var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
            try
            {
                await ssl.AuthenticateAsClientAsync(tls.ClientOptions(url.IdnHost, http2: false),
                    limit.Token).ConfigureAwait(false);
            }
            catch (AuthenticationException e)
            {
                await ssl.DisposeAsync().ConfigureAwait(false);
                return Failed(FailureKind.Tls, "uploadFile:fail ssl hand shake error", tls.LastRefusal
                    ?? e.Message.ReplaceLineEndings(" "), 0, request, clock);
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
                answeredEarly =
                    await Task.WhenAny(response, Task.Delay(wait, limit.Token)).ConfigureAwait(false) == response
                    && response.IsCompletedSuccessfully;
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
                return Failed(FailureKind.Reset, "uploadFile:fail socket closed",
                    "the server closed the connection without an answer", sent, request, clock);
            return new UploadOutcome
            {
                ErrMsg = "uploadFile:ok",
                StatusCode = answer.Status,
                Data = answer.Body.Text(),
                DataTruncated = answer.Body.Truncated,
                BytesReceived = answer.Body.Received,
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
            return Failed(FailureKind.Timeout, "uploadFile:fail timeout",
                $"no answer within {bound.TotalSeconds:0} s (the server hangs)", sent, request, clock);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            return Failed(FailureKind.Reset, "uploadFile:fail socket closed", e.Message.ReplaceLineEndings(" "), sent,
                request, clock);
        }
    }

    private static UploadOutcome Failed(FailureKind kind, string errMsg, string error, long sent, RawRequest request,
        Stopwatch clock) => new()
    {
        ErrMsg = errMsg,
        Failure = kind,
        Error = error,
        BytesSent = sent,
        BytesExpected = request.Body.Length,
        Elapsed = clock.Elapsed,
    };

    /// <summary>Reads the answer with the shared parser; null when the connection closed before any byte.</summary>
    private static async Task<AnswerCollector?> ReadResponseAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new ReceiveBuffer();
        var parser = new AnswerParser();
        var answer = new AnswerCollector();
        parser.Reset();
        answer.Reset(keepBody: true);
        var any = false;
        while (!parser.Done)
        {
            buffer.EnsureSpace();
            var read = await stream.ReadAsync(buffer.Available, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                if (!any) return null;
                parser.End();
                break;
            }
            any = true;
            buffer.Commit(read);
            buffer.Discard(parser.Parse(buffer.Active, answer));
        }
        return answer;
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
        public override void Write(byte[] buffer, int offset, int count) =>
            WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer,
            CancellationToken cancellationToken = default)
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
