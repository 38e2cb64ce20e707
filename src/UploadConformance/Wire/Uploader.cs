using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace UploadConformance.Wire;

/// <summary>Sends request plans the way wx.uploadFile does: one POST, a client timeout, optional
/// abort mid-stream, progress events; turns every ending into an <see cref="UploadOutcome"/>.</summary>
public sealed class Uploader : IDisposable
{
    private readonly HttpMessageInvoker _invoker;
    private readonly bool _ownsInvoker;
    /// <summary>HTTP/2: one invoker per connection, taken in turn, each with its streams' slots (null: as many as
    /// the server allows). HttpClient keeps one HTTP/2 connection per handler, so connections are handlers.</summary>
    private readonly (HttpMessageInvoker Invoker, SemaphoreSlim? Streams)[] _http2 = [];
    private long _nextConnection;

    /// <param name="maxConnections">HTTP/1.1: the most connections at once; HTTP/2: exactly this many.</param>
    /// <param name="streams">HTTP/2: the most uploads at once on one connection.</param>
    public Uploader(int maxConnections, TlsOptions? tls = null, ConnectionTimings? timings = null, int? streams = null)
    {
        Tls = tls ?? TlsOptions.Default;
        if (Tls.Http.Major >= 2 && (maxConnections > 1 || streams is not null))
            _http2 = Enumerable.Range(0, maxConnections).Select(_ => (
                new HttpMessageInvoker(Counted(CreateHandler(1, Tls), timings)),
                streams is { } n ? new SemaphoreSlim(n, n) : null)).ToArray();
        // With connections of its own the first one stands for the uploader (and is disposed with them).
        _invoker = _http2.Length > 0 ? _http2[0].Invoker
            : new HttpMessageInvoker(Counted(CreateHandler(maxConnections, Tls), timings));
        _ownsInvoker = _http2.Length == 0;
    }

    /// <summary>The handler with its connections and TLS handshakes counted and timed.</summary>
    private SocketsHttpHandler Counted(SocketsHttpHandler handler, ConnectionTimings? timings)
    {
        // Counted here so a load run can show that connections, and their TLS sessions, are reused.
        handler.ConnectCallback = async (context, cancellationToken) =>
        {
            Interlocked.Increment(ref _connections);
            var socket =
                new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream,
                System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
            try
            {
                var begun = Stopwatch.GetTimestamp();
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken).ConfigureAwait(false);
                var connect = Stopwatch.GetElapsedTime(begun);
                var stream = new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                if (timings is null) return stream;
                if (context.InitialRequestMessage.RequestUri?.Scheme != Uri.UriSchemeHttps)
                {
                    timings.Record(connect, null);
                    return stream;
                }
                return new HandshakeClock(stream, handshake => timings.Record(connect, handshake));
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
        var validate = handler.SslOptions.RemoteCertificateValidationCallback;
        handler.SslOptions.RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
        {
            Interlocked.Increment(ref _tlsHandshakes);
            return validate?.Invoke(sender, certificate, chain, errors)
                ?? errors == System.Net.Security.SslPolicyErrors.None;
        };
        return handler;
    }

    private long _connections;
    private long _tlsHandshakes;

    /// <summary>TCP connections opened so far (counted only by uploaders that own their handler).</summary>
    public long Connections => Interlocked.Read(ref _connections);
    /// <summary>Full TLS handshakes so far: each one validates the server's certificate.</summary>
    public long TlsHandshakes => Interlocked.Read(ref _tlsHandshakes);

    public Uploader(TlsOptions tls) : this(1024, tls) { }

    public TlsOptions Tls { get; } = TlsOptions.Default;

    private Uploader(HttpMessageInvoker invoker, bool ownsInvoker)
    {
        _invoker = invoker;
        _ownsInvoker = ownsInvoker;
    }

    public Uploader(HttpMessageInvoker? invoker = null)
    {
        _ownsInvoker = invoker is null;
        _invoker = invoker ?? new HttpMessageInvoker(CreateHandler());
    }

    /// <summary>An HttpClient for the side requests of a run (health, stats, fetch-back), speaking the
    /// run's protocol: HTTP/2 by ALPN where offered on https, h2c with prior knowledge on http.</summary>
    public static HttpClient CreateHttpClient(TlsOptions? tls, TimeSpan timeout)
    {
        tls ??= TlsOptions.Default;
        return new HttpClient(CreateHandler(tls: tls))
        {
            Timeout = timeout,
            DefaultRequestVersion = tls.Http,
            // Exact, as for the uploads: --http 2 means HTTP/2 or a clear failure, and on http:// it is h2c.
            DefaultVersionPolicy = tls.Http.Major >= 2 ? HttpVersionPolicy.RequestVersionExact
                : HttpVersionPolicy.RequestVersionOrLower,
        };
    }

    public static SocketsHttpHandler CreateHandler(int maxConnections = 1024, TlsOptions? tls = null)
    {
        var handler = NewHandler(maxConnections);
        (tls ?? TlsOptions.Default).Apply(handler);
        return handler;
    }

    private static SocketsHttpHandler NewHandler(int maxConnections) => new()
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        MaxConnectionsPerServer = maxConnections,
    };

    /// <summary>Sends the upload. An HTTP/2 stream the server never processed (above a GOAWAY's last stream,
    /// or refused with REFUSED_STREAM) is sent once more on a new connection, as browsers, OkHttp and
    /// NSURLSession do (RFC 9113 §8.7): its outcome says so (<see cref="UploadOutcome.Retried"/>), and its
    /// time includes both tries.</summary>
    public async Task<UploadOutcome> SendAsync(RequestPlan plan, Action<long, long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var first = await SendOnceAsync(plan, progress, cancellationToken).ConfigureAwait(false);
        if (first.Unprocessed is not { } reason) return first;
        var again = await SendOnceAsync(plan, progress, cancellationToken).ConfigureAwait(false);
        return again with
        {
            Retried = reason,
            Elapsed = first.Elapsed + again.Elapsed,
            TimeToBodyStart = first.Elapsed + again.TimeToBodyStart,
        };
    }

    private async Task<UploadOutcome> SendOnceAsync(RequestPlan plan, Action<long, long>? progress,
        CancellationToken cancellationToken)
    {
        var body = plan.BuildBody();
        var control = new SendControl
        {
            StopAfter = plan.Wire.AbortAt?.Resolve(body.Length),
            RateCapBytesPerSecond = plan.Wire.RateCapBytesPerSecond,
            Progress = progress,
        };
        var sentCounter = new SentCounter(control);
        var content =
            new MultipartContent(body, sentCounter.Control, plan.Wire.Framing == Framing.Chunked,
            plan.Wire.ContentTypeOverride);
        using var request = new HttpRequestMessage(HttpMethod.Post, plan.Request.Url)
        {
            Content = content,
            Version = Tls.Http,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        foreach (var (name, value) in plan.Request.Header)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
                content.Headers.TryAddWithoutValidation(name, value);
        }
        if (plan.Wire.Framing == Framing.Chunked) request.Headers.TransferEncodingChunked = true;
        if (plan.Wire.ExpectContinue) request.Headers.ExpectContinue = true;

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (plan.Request.TimeoutMs is { } ms) timeout.CancelAfter(ms);
        var clock = Stopwatch.StartNew();
        var sentAt = Stopwatch.GetTimestamp();
        TimeSpan ToBody() => content.BodyStartedAt == 0 ? clock.Elapsed
            : Stopwatch.GetElapsedTime(sentAt, content.BodyStartedAt);
        var answered = false;
        var (invoker, slots) = _http2.Length == 0 ? (_invoker, null)
            : _http2[(int)((ulong)Interlocked.Increment(ref _nextConnection) % (ulong)_http2.Length)];
        var holding = false;
        try
        {
            // Waiting for a free stream on the connection is blocked time, as waiting for a connection is.
            if (slots is not null)
            {
                await slots.WaitAsync(timeout.Token).ConfigureAwait(false);
                holding = true;
            }
            using var response = await invoker.SendAsync(request, timeout.Token).ConfigureAwait(false);
            answered = true;
            // The answer's head is in: as near its first byte as HttpClient lets one see.
            var firstByte = Stopwatch.GetTimestamp();
            var answer = new AnswerBody();
            await using (var stream = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false))
                await answer.ReadFromAsync(stream, timeout.Token).ConfigureAwait(false);
            return new UploadOutcome
            {
                ErrMsg = "uploadFile:ok",
                StatusCode = (int)response.StatusCode,
                Data = answer.Text(),
                DataTruncated = answer.Truncated,
                ResponseContentType = response.Content.Headers.ContentType?.ToString(),
                Protocol = $"HTTP/{response.Version}",
                BytesSent = sentCounter.Sent,
                BytesExpected = body.Length,
                BytesReceived = answer.Received,
                Elapsed = clock.Elapsed,
                TimeToBodyStart = ToBody(),
                Phases = UploadPhases.From(content.BodyStartedAt, content.BodyEndedAt, firstByte,
                    Stopwatch.GetTimestamp()),
                // HttpClient's own retry of an unprocessed stream (REFUSED_STREAM above all) shows only here.
                Retried = content.Serializations > 1 ? HttpClientRetry : null,
            };
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            var (kind, errMsg, error) =
                Classify(e, content.AbortedByClient, timeout.IsCancellationRequested
                && !cancellationToken.IsCancellationRequested, plan.Request.TimeoutMs, Tls.LastRefusal);
            // Stopped from outside (a signal, a run ending early): a cancellation, whatever the handler
            // threw on its way out ("Error while copying content to a stream"), so callers see one kind.
            if (cancellationToken.IsCancellationRequested && kind != FailureKind.Aborted)
                throw new OperationCanceledException(cancellationToken);
            return new UploadOutcome
            {
                ErrMsg = errMsg,
                Failure = kind,
                Error = error,
                BytesSent = sentCounter.Sent,
                BytesExpected = body.Length,
                Elapsed = clock.Elapsed,
                TimeToBodyStart = ToBody(),
                // An answer that had begun means the server took the request, and an abort or a timeout is the
                // client's own end: neither is sent twice.
                Unprocessed = answered || kind is FailureKind.Aborted or FailureKind.Timeout ? null : Unprocessed(e),
            };
        }
        finally
        {
            if (holding) slots!.Release();
        }
    }

    /// <summary>The retry HttpClient makes by itself, seen as the body written twice: an HTTP/2 stream refused
    /// (REFUSED_STREAM) or above a GOAWAY's last stream, or an HTTP/1.1 request on a pooled connection the
    /// server had closed, once the body had begun.</summary>
    public const string HttpClientRetry = "by HttpClient";

    /// <summary>Why the server is known not to have processed the stream, or null: it refused it
    /// (REFUSED_STREAM), or closed the connection gracefully (GOAWAY with NO_ERROR) without answering it,
    /// which RFC 9113 §6.8 allows only for streams above the GOAWAY's last stream id.</summary>
    internal static string? Unprocessed(Exception e) => FindInner<HttpProtocolException>(e)?.ErrorCode switch
    {
        0x0 => "GOAWAY",
        0x7 => "REFUSED_STREAM",
        _ => null,
    };

    /// <summary>An exception as wx reports it: the failure kind, the errMsg, and the cause in one line.</summary>
    internal static (FailureKind, string, string) Classify(Exception e, bool abortedByClient, bool timedOut,
        int? timeoutMs, string? tlsRefusal)
    {
        if (FindInner<System.Security.Authentication.AuthenticationException>(e) is { } tls)
            return (FailureKind.Tls, "uploadFile:fail ssl hand shake error", tlsRefusal ?? OneLine(tls.Message));
        if (abortedByClient) return (FailureKind.Aborted, "uploadFile:fail abort", Innermost(e).Message);
        if (timedOut) return (FailureKind.Timeout, "uploadFile:fail timeout",
            $"no answer within the client timeout of {timeoutMs} ms");
        var inner = Innermost(e);
        if (inner is SocketException { SocketErrorCode: SocketError.TooManyOpenSockets }
            || inner is IOException { HResult: Emfile or Enfile })
            return (FailureKind.ClientLimit, "uploadFile:fail too many open files", OneLine(inner.Message));
        if (inner is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            return (FailureKind.Refused, "uploadFile:fail connection refused", OneLine(inner.Message));
        if (Unprocessed(e) is { } unprocessed && e is HttpRequestException)
            return (FailureKind.Unprocessed, "uploadFile:fail " + OneLine(inner.Message),
                $"not processed by the server ({unprocessed}), twice: {OneLine(inner.Message)}");
        if (inner is SocketException or IOException
            || e is HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded })
            return (FailureKind.Reset, "uploadFile:fail socket closed", OneLine(inner.Message));
        return (FailureKind.Other, "uploadFile:fail " + OneLine(inner.Message), OneLine(inner.Message));
    }

    // errno values .NET puts in an IOException's HResult on Linux and macOS.
    private const int Emfile = 24;
    private const int Enfile = 23;

    private static T? FindInner<T>(Exception e) where T : Exception
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (x is T found) return found;
        return null;
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e;
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();

    public void Dispose()
    {
        if (_ownsInvoker) _invoker.Dispose();
        foreach (var (invoker, streams) in _http2)
        {
            invoker.Dispose();
            streams?.Dispose();
        }
    }

    /// <summary>Counts what actually left, for the outcome, on top of the caller's progress callback.</summary>
    private sealed class SentCounter
    {
        public SentCounter(SendControl inner)
        {
            Control = new SendControl
            {
                StopAfter = inner.StopAfter,
                RateCapBytesPerSecond = inner.RateCapBytesPerSecond,
                Progress = (sent, expected) =>
                {
                    Sent = sent;
                    inner.Progress?.Invoke(sent, expected);
                },
            };
        }

        public SendControl Control { get; }
        public long Sent { get; private set; }
    }
}
