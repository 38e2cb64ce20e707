using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace UploadConformance.Wire;

/// <summary>The load engine's HTTP/1.1 client for prepared requests: a pool of keep-alive
/// connections, each with one receive buffer, writing precomputed bytes and parsing the answer in
/// place. HttpClient builds headers, content and a response object per request; at tens of thousands
/// of requests a second that is most of the client's CPU, and the target's share is what we measure.
/// It speaks plain HTTP/1.1 and HTTP/1.1 over TLS; anything else goes through <see cref="Uploader"/>.</summary>
public sealed class Http1Client : IDisposable
{
    private const int InitialBufferBytes = 16 * 1024;
    /// <summary>A head or chunk line longer than this is not an answer worth reading.</summary>
    private const int MaxLineBytes = 128 * 1024;
    private const string Http11 = "HTTP/1.1";

    private readonly Uri _target;
    private readonly TlsOptions _tls;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentStack<Connection> _idle = new();
    private readonly CancellationTokenSource _disposed = new();
    private long _connections;
    private long _tlsHandshakes;

    public Http1Client(Uri target, int maxConnections, TlsOptions? tls = null, ConnectionTimings? timings = null)
    {
        if (!Supports(target, tls)) throw new ArgumentException(
            $"the lean client speaks HTTP/1.1 over http or https, not {target.Scheme} with HTTP/{tls?.Http}");
        _target = target;
        _tls = tls ?? TlsOptions.Default;
        _slots = new SemaphoreSlim(maxConnections, maxConnections);
        Timings = timings ?? new ConnectionTimings();
    }

    public static bool Supports(Uri target, TlsOptions? tls) =>
        (target.Scheme == Uri.UriSchemeHttp || target.Scheme == Uri.UriSchemeHttps)
        && (tls is null || tls.Http.Major == 1);

    public long Connections => Interlocked.Read(ref _connections);
    public long TlsHandshakes => Interlocked.Read(ref _tlsHandshakes);
    public ConnectionTimings Timings { get; }

    /// <param name="keepData">Decode the answer into <see cref="UploadOutcome.Data"/>; without it only its size is
    /// kept.</param>
    /// <remarks>One async method per request (each nested async call that suspends costs an
    /// allocation and a hop): write the prepared bytes, then read into the connection's buffer and
    /// hand it to the synchronous parser until the answer is done.</remarks>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(
        typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<UploadOutcome> SendAsync(PreparedRequest request, bool keepData,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var bodyStarted = started;
        if (!_slots.Wait(0)) await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        Connection? connection = null;
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                var reused = TryReuse(out connection);
                connection ??= await ConnectAsync(cancellationToken).ConfigureAwait(false);
                bodyStarted = Stopwatch.GetTimestamp();
                var armed = connection.Arm(request.Plan.Request.TimeoutMs, keepData, cancellationToken);
                try
                {
                    // A server may answer early (413 before the body is in) and close; its answer still counts.
                    var writeFailure = await WriteAsync(connection, request, armed).ConfigureAwait(false);
                    var bodyEnded = writeFailure is null ? Stopwatch.GetTimestamp() : 0;
                    long firstByte = 0;
                    try
                    {
                        while (!connection.Parser.Done)
                        {
                            connection.Received.EnsureSpace();
                            var read = await connection.Stream.ReadAsync(connection.Received.Available,
                                armed).ConfigureAwait(false);
                            if (firstByte == 0) firstByte = Stopwatch.GetTimestamp();
                            if (read == 0)
                            {
                                connection.Parser.End();
                                break;
                            }
                            connection.ReadNothing = false;
                            connection.Received.Commit(read);
                            connection.Received.Discard(
                                connection.Parser.Parse(connection.Received.Active, connection.Answer));
                        }
                    }
                    catch (Exception) when (writeFailure is not null)
                    {
                        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(writeFailure);
                    }
                    var outcome = Outcome(connection, request, started, bodyStarted,
                        UploadPhases.From(bodyStarted, bodyEnded, firstByte, Stopwatch.GetTimestamp()));
                    // Bytes past the answer were never asked for; such a connection is not trusted again.
                    if (connection.Parser.KeepAlive && writeFailure is null
                        && connection.Received.ActiveLength == 0 && connection.Disarm())
                        _idle.Push(connection);
                    else connection.Dispose();
                    connection = null;
                    return outcome;
                }
                catch (Exception e) when (reused && attempt == 0 && connection is { ReadNothing: true }
                    && e is IOException or SocketException
                                          && !armed.IsCancellationRequested)
                {
                    // A kept-alive connection the server had already closed: try once on a new one, as browsers do.
                    connection.Dispose();
                    connection = null;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException
            or AuthenticationException)
        {
            var timedOut = connection?.TimedOut == true;
            if (cancellationToken.IsCancellationRequested
                && !timedOut) throw new OperationCanceledException(cancellationToken);
            var (kind, errMsg, error) =
                Uploader.Classify(e, abortedByClient: false, timedOut, request.Plan.Request.TimeoutMs,
                _tls.LastRefusal);
            return new UploadOutcome
            {
                ErrMsg = errMsg,
                Failure = kind,
                Error = error,
                BytesSent = connection?.Sent ?? 0,
                BytesExpected = request.Length,
                Elapsed = Stopwatch.GetElapsedTime(started),
                TimeToBodyStart = Stopwatch.GetElapsedTime(started, bodyStarted),
            };
        }
        finally
        {
            connection?.Dispose();
            _slots.Release();
        }
    }

    /// <summary>An idle connection, unless a cancellation fired while it sat in the pool.</summary>
    private bool TryReuse(out Connection? connection)
    {
        if (!_idle.TryPop(out connection)) return false;
        if (connection.Usable) return true;
        connection.Dispose();
        connection = null;
        return false;
    }

    /// <summary>Writes the request; a write the server cut short is returned, not thrown, because its
    /// early answer may already be on the way.</summary>
    private static async ValueTask<Exception?> WriteAsync(Connection connection, PreparedRequest request,
        CancellationToken armed)
    {
        try
        {
            foreach (var piece in request.Pieces)
            {
                await connection.Stream.WriteAsync(piece, armed).ConfigureAwait(false);
                connection.Sent += piece.Length;
            }
            if (request.StreamedBody is { } body) await WriteStreamedAsync(connection, body,
                armed).ConfigureAwait(false);
            return null;
        }
        catch (Exception e) when (e is IOException or SocketException && !armed.IsCancellationRequested)
        {
            return e;
        }
    }

    private static UploadOutcome Outcome(Connection connection, PreparedRequest request, long started, long bodyStarted,
        UploadPhases phases)
    {
        var answer = connection.Answer;
        return new UploadOutcome
        {
            ErrMsg = "uploadFile:ok",
            StatusCode = answer.Status,
            Data = answer.Body.Text(),
            DataTruncated = answer.Body.Truncated,
            ResponseContentType = answer.ContentType,
            Protocol = Http11,
            BytesSent = connection.Sent,
            BytesExpected = request.Length,
            BytesReceived = answer.Body.Received,
            Elapsed = Stopwatch.GetElapsedTime(started),
            TimeToBodyStart = Stopwatch.GetElapsedTime(started, bodyStarted),
            Phases = phases,
        };
    }

    private static async Task WriteStreamedAsync(Connection connection, MultipartBody body,
        CancellationToken cancellationToken)
    {
        var head = connection.Sent;
        var control = new SendControl { Progress = (written, _) => connection.Sent = head + written };
        await body.WriteToAsync(connection.Stream, control, cancellationToken).ConfigureAwait(false);
    }

    private async Task<Connection> ConnectAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _connections);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
            bounded.CancelAfter(TimeSpan.FromSeconds(5));
            var begun = Stopwatch.GetTimestamp();
            await socket.ConnectAsync(_target.IdnHost, _target.Port, bounded.Token).ConfigureAwait(false);
            var connected = Stopwatch.GetTimestamp();
            Stream stream = new NetworkStream(socket, ownsSocket: true);
            if (_target.Scheme == Uri.UriSchemeHttps)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                var options = _tls.ClientOptions(_target.IdnHost, http2: false);
                var validate = options.RemoteCertificateValidationCallback!;
                options.RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
                {
                    Interlocked.Increment(ref _tlsHandshakes);
                    return validate(sender, certificate, chain, errors);
                };
                try
                {
                    await ssl.AuthenticateAsClientAsync(options, bounded.Token).ConfigureAwait(false);
                }
                catch
                {
                    await ssl.DisposeAsync().ConfigureAwait(false);
                    throw;
                }
                Timings.Record(Stopwatch.GetElapsedTime(begun, connected), Stopwatch.GetElapsedTime(connected));
            }
            else
            {
                Timings.Record(Stopwatch.GetElapsedTime(begun, connected), null);
            }
            return new Connection(socket, stream);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new SocketException((int)SocketError.TimedOut);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _disposed.Cancel();
        while (_idle.TryPop(out var connection)) connection.Dispose();
        _disposed.Dispose();
    }


    /// <summary>One keep-alive connection and what it reuses from request to request: its receive
    /// buffer, parser, answer collector and cancellation source.</summary>
    private sealed class Connection(Socket socket, Stream stream) : IDisposable
    {
        public Stream Stream { get; } = stream;
        public ReceiveBuffer Received { get; } = new(InitialBufferBytes, MaxLineBytes);
        public AnswerParser Parser { get; } = new();
        public AnswerCollector Answer { get; } = new();
        /// <summary>Bytes of the current request written so far.</summary>
        public long Sent;
        /// <summary>No byte of an answer has arrived yet on this exchange.</summary>
        public bool ReadNothing = true;
        /// <summary>The client timeout fired, not the caller's cancellation.</summary>
        public bool TimedOut => _cancel.IsCancellationRequested && !_callerToken.IsCancellationRequested;

        private readonly CancellationTokenSource _cancel = new();
        private CancellationTokenRegistration _caller;
        private CancellationToken _callerToken;

        /// <summary>Ready for a request. One token per connection, reset between requests, instead of a
        /// linked source per request; the caller's token is registered again only when it changes.</summary>
        public CancellationToken Arm(int? timeoutMs, bool keepData, CancellationToken caller)
        {
            Sent = 0;
            ReadNothing = true;
            Received.Clear();
            Parser.Reset();
            Answer.Reset(keepData);
            if (caller != _callerToken)
            {
                _caller.Dispose();
                _callerToken = caller;
                _caller = caller.CanBeCanceled
                    ? caller.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _cancel) : default;
            }
            if (timeoutMs is { } ms) _cancel.CancelAfter(ms);
            return _cancel.Token;
        }

        /// <summary>False when the token fired and the connection cannot be trusted again.</summary>
        public bool Disarm() => _cancel.TryReset();

        /// <summary>A caller's cancellation may have fired while the connection sat idle.</summary>
        public bool Usable => !_cancel.IsCancellationRequested;

        public void Dispose()
        {
            _caller.Dispose();
            _cancel.Dispose();
            Stream.Dispose();
            socket.Dispose();
        }
    }
}
