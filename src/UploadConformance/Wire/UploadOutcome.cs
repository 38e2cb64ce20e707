namespace UploadConformance.Wire;

/// <summary>Why an upload did not get an answer; <see cref="None"/> when it did, whatever the status.
/// How an exchange failed. <see cref="ClientLimit"/> is this machine's, not the target's: out of
/// file descriptors (EMFILE, ENFILE) for the socket.
/// <see cref="Unprocessed"/>: an HTTP/2 stream the server said it never processed (GOAWAY, REFUSED_STREAM), on
/// the retry as well.</summary>
public enum FailureKind { None, Timeout, Aborted, Refused, Reset, Tls, Other, ClientLimit, Unprocessed }

/// <summary>An exchange's phases after it had a connection, as k6 splits <c>http_req_sending</c>,
/// <c>http_req_waiting</c> and <c>http_req_receiving</c>. Sending ends when the last byte is handed to the
/// connection (the socket's buffer), as every client measures it; an answer that arrives before the body is
/// all sent (an early 413) ends sending there and leaves no waiting.</summary>
public readonly record struct UploadPhases(TimeSpan Sending, TimeSpan Waiting, TimeSpan Receiving)
{
    /// <summary>From <see cref="System.Diagnostics.Stopwatch"/> timestamps: the body's first byte, its last
    /// (0: never all written), the answer's first byte (0: none) and the exchange's end.</summary>
    public static UploadPhases From(long bodyStarted, long bodyEnded, long firstByte, long ended)
    {
        if (bodyStarted == 0) return default;
        var stop = firstByte != 0 && (bodyEnded == 0 || firstByte < bodyEnded) ? firstByte
            : bodyEnded != 0 ? bodyEnded : ended;
        var sending = System.Diagnostics.Stopwatch.GetElapsedTime(bodyStarted, stop);
        var waiting = bodyEnded != 0 && firstByte > bodyEnded
            ? System.Diagnostics.Stopwatch.GetElapsedTime(bodyEnded, firstByte) : TimeSpan.Zero;
        var receiving = firstByte != 0 ? System.Diagnostics.Stopwatch.GetElapsedTime(firstByte, ended) : TimeSpan.Zero;
        return new UploadPhases(sending, waiting, receiving);
    }
}

/// <summary>What the client saw, in wx.uploadFile's terms: success fires for any HTTP status, with
/// <c>data</c> as a string; fail carries an errMsg.</summary>
public sealed record UploadOutcome
{
    public required string ErrMsg { get; init; }
    public FailureKind Failure { get; init; }
    public int? StatusCode { get; init; }
    public string? Data { get; init; }
    public bool DataTruncated { get; init; }
    public string? ResponseContentType { get; init; }
    /// <summary>The protocol the answer really came over: HTTP/1.1 or HTTP/2.</summary>
    public string? Protocol { get; init; }
    public long BytesSent { get; init; }
    public long BytesExpected { get; init; }
    /// <summary>Bytes of the answer's body as they arrived (before any cut at the response cap).</summary>
    public long BytesReceived { get; init; }
    public TimeSpan Elapsed { get; init; }
    /// <summary>From the call to the first body byte leaving: time spent waiting for a connection.
    /// Service time is <see cref="Elapsed"/> minus this.</summary>
    public TimeSpan TimeToBodyStart { get; init; }
    /// <summary>Where the time went, after <see cref="TimeToBodyStart"/>: sending the request (first to last
    /// byte handed to the connection), waiting (last byte to the answer's first), receiving the answer. Zero
    /// for a phase the exchange never reached.</summary>
    public UploadPhases Phases { get; init; }
    /// <summary>The server sent <c>100 Continue</c> before its final answer.</summary>
    public bool SawContinue { get; init; }
    /// <summary>The one-line cause when the request failed; never a stack trace.</summary>
    public string? Error { get; init; }
    /// <summary>Why this exchange was sent a second time: a first stream the server never processed
    /// ("GOAWAY", "REFUSED_STREAM"); null when it was sent once.</summary>
    public string? Retried { get; init; }
    /// <summary>Why the server is known not to have processed this exchange, so that it may be sent again;
    /// null otherwise.</summary>
    public string? Unprocessed { get; init; }

    public bool Answered => Failure == FailureKind.None;
}
