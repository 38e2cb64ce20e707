using System.Buffers.Text;
using System.Text;

namespace UploadConformance.Wire;

/// <summary>What the parser hands over as an answer arrives, in order: for each status line (interim
/// 1xx answers included) its headers, then for the final answer its body in pieces.</summary>
public interface IAnswerHandler
{
    void OnStatus(int status, bool interim);
    void OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value);
    void OnBody(ReadOnlySpan<byte> piece);
}

/// <summary>How much of an answer the parser holds before it gives up: a head (status line and
/// headers) and a chunk-size line must each fit.</summary>
public readonly record struct AnswerLimits(int MaxHeadBytes, int MaxChunkLineBytes)
{
    public static AnswerLimits Default { get; } = new(64 * 1024, 1024);
}

/// <summary>Why bytes could not be read as an HTTP/1.x answer.</summary>
public enum AnswerFault { NotHttp, BadContentLength, BadChunk, HeadTooLarge, EndedEarly }

/// <summary>The connection ended, or sent something that is not an HTTP/1.x answer.</summary>
public sealed class AnswerException(AnswerFault fault, string message) : IOException(message)
{
    public AnswerFault Fault { get; } = fault;
}

/// <summary>One HTTP/1.x answer parsed as its bytes arrive, in the manner of Kestrel's HttpParser:
/// spans in, callbacks out, nothing allocated. <see cref="Parse"/> takes what has arrived and says how
/// much it consumed; a line not yet complete is left for the caller to offer again with more bytes.
/// The body is framed by Content-Length, chunked encoding or the end of the connection; lines may end
/// in CRLF or a bare LF (RFC 9112 §2.2 lets a recipient accept both). Shared by the lean load
/// client and the raw-socket transport of the conformance cases.</summary>
public sealed class AnswerParser(AnswerLimits limits)
{
    private enum State { StatusLine, Headers, Length, ChunkLine, ChunkData, ChunkEnd, Trailer, ToEnd, Done }

    private State _state;
    private long _remaining;
    private int _headBytes;
    private int _status;
    private long? _contentLength;
    private bool _chunked;
    private bool _http11;
    private bool? _connection;

    public AnswerParser() : this(AnswerLimits.Default) { }

    /// <summary>The final answer's status; 0 until its status line arrived.</summary>
    public int Status { get; private set; }

    /// <summary>The connection may carry another request after this answer.</summary>
    public bool KeepAlive { get; private set; }

    public bool Done => _state == State.Done;

    /// <summary>Ready for the next answer on the connection.</summary>
    public void Reset()
    {
        _state = State.StatusLine;
        (_remaining, _headBytes, _status, _contentLength, _chunked, _http11, _connection) =
            (0, 0, 0, null, false, false, null);
        (Status, KeepAlive) = (0, false);
    }

    /// <summary>The connection closed: the end of a body framed by the close, or an answer cut short.</summary>
    /// <exception cref="AnswerException">The answer was not complete.</exception>
    public void End()
    {
        if (_state == State.ToEnd) _state = State.Done;
        else if (_state != State.Done)
            throw new AnswerException(AnswerFault.EndedEarly, Status == 0 && _headBytes == 0
                ? "the server closed the connection without an answer"
                : "the server closed the connection before its answer was complete");
    }

    /// <returns>Bytes consumed from the front of <paramref name="data"/>.</returns>
    /// <exception cref="AnswerException">The bytes are not an HTTP/1.x answer, or a limit was passed.</exception>
    public int Parse(ReadOnlySpan<byte> data, IAnswerHandler handler)
    {
        var used = 0;
        while (_state != State.Done)
        {
            var rest = data[used..];
            switch (_state)
            {
                case State.StatusLine:
                case State.Headers:
                case State.Trailer:
                {
                    if (!TryLine(rest, _state == State.Trailer ? limits.MaxChunkLineBytes
                        : limits.MaxHeadBytes - _headBytes, out var line, out var length))
                        return used;
                    used += length;
                    _headBytes += length;
                    if (_state == State.StatusLine) StatusLine(line, handler);
                    else if (_state == State.Headers) HeaderLine(line, handler);
                    else if (line.IsEmpty) _state = State.Done;
                    break;
                }
                case State.Length:
                case State.ChunkData:
                {
                    if (rest.IsEmpty) return used;
                    var take = (int)Math.Min(_remaining, rest.Length);
                    handler.OnBody(rest[..take]);
                    used += take;
                    _remaining -= take;
                    if (_remaining == 0) _state = _state == State.Length ? State.Done : State.ChunkEnd;
                    break;
                }
                case State.ChunkEnd:
                {
                    if (!TryLine(rest, limits.MaxChunkLineBytes, out var line, out var length)) return used;
                    if (!line.IsEmpty) throw new AnswerException(AnswerFault.BadChunk,
                        "a chunk does not end with CRLF");
                    used += length;
                    _state = State.ChunkLine;
                    break;
                }
                case State.ChunkLine:
                {
                    if (!TryLine(rest, limits.MaxChunkLineBytes, out var line, out var length)) return used;
                    if (line.IndexOf((byte)';') is var semicolon and >= 0) line = line[..semicolon];
                    line = line.Trim(" \t"u8);
                    if (line.IsEmpty || !Utf8Parser.TryParse(line, out long size, out var consumed, 'X')
                        || consumed != line.Length || size < 0)
                        throw new AnswerException(AnswerFault.BadChunk, "a chunk size is not hexadecimal");
                    used += length;
                    (_state, _remaining) = size == 0 ? (State.Trailer, 0L) : (State.ChunkData, size);
                    break;
                }
                case State.ToEnd:
                    handler.OnBody(rest);
                    return data.Length;
            }
        }
        return used;
    }

    /// <summary>One line without its CRLF or LF, and the bytes it took with its ending.</summary>
    private static bool TryLine(ReadOnlySpan<byte> data, int limit, out ReadOnlySpan<byte> line, out int length)
    {
        var lf = data.IndexOf((byte)'\n');
        if (lf < 0 || lf >= limit)
        {
            if (lf >= limit || data.Length >= limit)
                throw new AnswerException(AnswerFault.HeadTooLarge,
                    $"the answer's head or a chunk line is over {limit} bytes");
            line = default;
            length = 0;
            return false;
        }
        line = lf > 0 && data[lf - 1] == '\r' ? data[..(lf - 1)] : data[..lf];
        length = lf + 1;
        return true;
    }

    private void StatusLine(ReadOnlySpan<byte> line, IAnswerHandler handler)
    {
        if (line.Length < 12 || !line.StartsWith("HTTP/1."u8) || line[8] != ' '
            || !Utf8Parser.TryParse(line.Slice(9, 3), out int status, out var consumed) || consumed != 3
                || status < 100)
            throw new AnswerException(AnswerFault.NotHttp, "the answer does not start with an HTTP/1.x status line");
        (_status, _http11, _contentLength, _chunked, _connection) = (status, line[7] == '1', null, false, null);
        handler.OnStatus(status, interim: status < 200);
        _state = State.Headers;
    }

    private void HeaderLine(ReadOnlySpan<byte> line, IAnswerHandler handler)
    {
        if (line.IsEmpty)
        {
            EndOfHead();
            return;
        }
        var colon = line.IndexOf((byte)':');
        if (colon <= 0) return; // not a header; RFC 9112 lets a client ignore what it cannot read
        var name = line[..colon];
        var value = line[(colon + 1)..].Trim(" \t"u8);
        if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
        {
            if (!Utf8Parser.TryParse(value, out long n, out var used) || used != value.Length || n < 0
                || _contentLength is { } seen && seen != n)
                throw new AnswerException(AnswerFault.BadContentLength,
                    "the answer's Content-Length is not one number");
            _contentLength = n;
        }
        else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
            _chunked = value.Length >= 7 && Ascii.EqualsIgnoreCase(value[^7..], "chunked"u8);
        else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
        {
            if (Ascii.EqualsIgnoreCase(value, "close"u8)) _connection = false;
            else if (Ascii.EqualsIgnoreCase(value, "keep-alive"u8)) _connection = true;
        }
        handler.OnHeader(name, value);
    }

    private void EndOfHead()
    {
        if (_status < 200)
        {
            // An interim answer (100 Continue, 103 Early Hints); the final one follows.
            _state = State.StatusLine;
            return;
        }
        Status = _status;
        KeepAlive = _connection ?? _http11;
        if (_chunked) _state = State.ChunkLine;
        else if (_contentLength is { } length) (_state, _remaining) = length == 0 ? (State.Done, 0L)
            : (State.Length, length);
        else if (_status is 204 or 304) _state = State.Done;
        else
        {
            _state = State.ToEnd;
            KeepAlive = false;
        }
    }
}
