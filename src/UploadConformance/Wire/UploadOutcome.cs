namespace UploadConformance.Wire;

/// <summary>Why an upload did not get an answer; <see cref="None"/> when it did, whatever the status.</summary>
/// <summary>How an exchange failed. <see cref="ClientLimit"/> is this machine's, not the target's: out of
/// file descriptors (EMFILE, ENFILE) for the socket.</summary>
public enum FailureKind { None, Timeout, Aborted, Refused, Reset, Tls, Other, ClientLimit }

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
    /// <summary>The server sent <c>100 Continue</c> before its final answer.</summary>
    public bool SawContinue { get; init; }
    /// <summary>The one-line cause when the request failed; never a stack trace.</summary>
    public string? Error { get; init; }

    public bool Answered => Failure == FailureKind.None;
}
