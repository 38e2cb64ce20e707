using System.Buffers.Text;
using System.Text;

namespace UploadConformance.Wire;

/// <summary>The connection ended, or sent something that is not an HTTP/1.1 answer.</summary>
public sealed class EndOfAnswerException(string message) : IOException(message);

/// <summary>Parses one HTTP/1.1 answer as its bytes arrive, without allocating unless the body is
/// kept: the head (1xx answers skipped), then a body framed by Content-Length, chunked encoding or the
/// end of the connection. <see cref="Parse"/> takes what has arrived and says how much it consumed;
/// an incomplete head or chunk-size line is left for the caller to complete.</summary>
public sealed class AnswerParser
{
    private enum State { Head, Length, ChunkLine, ChunkData, ChunkEnd, Trailer, ToEnd, Done }

    private State _state;
    private long _remaining;
    private List<byte[]>? _kept;
    private long _keptBytes;

    public int Status { get; private set; }
    public bool KeepAlive { get; private set; }
    public string? ContentType { get; private set; }
    public long BodyBytes { get; private set; }
    /// <summary>The kept body was cut at <see cref="Uploader.MaxResponseBytes"/>.</summary>
    public bool Truncated { get; private set; }
    public bool Done => _state == State.Done;

    public void Reset(bool keepBody)
    {
        _state = State.Head;
        _remaining = 0;
        _kept = keepBody ? [] : null;
        _keptBytes = 0;
        (Status, KeepAlive, ContentType, BodyBytes, Truncated) = (0, false, null, 0, false);
    }

    /// <summary>The connection closed: the end of a body framed by the close, or an answer cut short.</summary>
    public void End()
    {
        if (_state == State.ToEnd) _state = State.Done;
        else if (_state != State.Done) throw new EndOfAnswerException("the server closed the connection before its answer was complete");
    }

    /// <returns>Bytes consumed from the front of <paramref name="data"/>.</returns>
    public int Parse(ReadOnlySpan<byte> data)
    {
        var used = 0;
        while (_state != State.Done)
        {
            var rest = data[used..];
            switch (_state)
            {
                case State.Head:
                {
                    var end = rest.IndexOf("\r\n\r\n"u8);
                    if (end < 0) return used;
                    ParseHead(rest[..(end + 2)]);
                    used += end + 4;
                    break;
                }
                case State.Length:
                case State.ChunkData:
                {
                    if (rest.IsEmpty) return used;
                    var take = (int)Math.Min(_remaining, rest.Length);
                    Keep(rest[..take]);
                    used += take;
                    _remaining -= take;
                    if (_remaining == 0) (_state, _remaining) = _state == State.Length ? (State.Done, 0L) : (State.ChunkEnd, 2L);
                    break;
                }
                case State.ChunkEnd:
                {
                    if (rest.IsEmpty) return used;
                    var take = (int)Math.Min(_remaining, rest.Length);
                    if (!"\r\n"u8[(int)(2 - _remaining)..][..take].SequenceEqual(rest[..take])) throw new EndOfAnswerException("a chunk does not end with CRLF");
                    used += take;
                    _remaining -= take;
                    if (_remaining == 0) _state = State.ChunkLine;
                    break;
                }
                case State.ChunkLine:
                {
                    var end = rest.IndexOf("\r\n"u8);
                    if (end < 0) return used;
                    var text = rest[..end];
                    if (text.IndexOf((byte)';') is var semicolon and >= 0) text = text[..semicolon];
                    text = text.Trim(" \t"u8);
                    if (!Utf8Parser.TryParse(text, out long size, out var consumed, 'X') || consumed != text.Length || size < 0)
                        throw new EndOfAnswerException("a chunk size is not hexadecimal");
                    used += end + 2;
                    (_state, _remaining) = size == 0 ? (State.Trailer, 0L) : (State.ChunkData, size);
                    break;
                }
                case State.Trailer:
                {
                    var end = rest.IndexOf("\r\n"u8);
                    if (end < 0) return used;
                    used += end + 2;
                    if (end == 0) _state = State.Done;
                    break;
                }
                case State.ToEnd:
                    Keep(rest);
                    return data.Length;
            }
        }
        return used;
    }

    /// <summary>The kept body as wx hands it over: a string, one BOM stripped; null when not kept.</summary>
    public string? Data()
    {
        if (_kept is null) return null;
        var all = _kept.Count == 1 ? _kept[0] : _kept.SelectMany(b => b).ToArray();
        var span = all.AsSpan();
        if (span.StartsWith(Encoding.UTF8.Preamble)) span = span[3..];
        return Encoding.UTF8.GetString(span);
    }

    private void Keep(ReadOnlySpan<byte> bytes)
    {
        BodyBytes += bytes.Length;
        if (_kept is null || bytes.IsEmpty) return;
        var take = (int)Math.Min(Math.Max(0, Uploader.MaxResponseBytes - _keptBytes), bytes.Length);
        if (take > 0) _kept.Add(bytes[..take].ToArray());
        _keptBytes += take;
        Truncated |= take < bytes.Length;
    }

    private void ParseHead(ReadOnlySpan<byte> head)
    {
        var lineEnd = head.IndexOf("\r\n"u8);
        var statusLine = head[..lineEnd];
        if (statusLine.Length < 12 || !statusLine.StartsWith("HTTP/1."u8) || statusLine[8] != ' '
            || !Utf8Parser.TryParse(statusLine.Slice(9, 3), out int status, out var consumed) || consumed != 3)
            throw new EndOfAnswerException("the answer does not start with an HTTP/1.x status line");
        var keepAlive = statusLine[7] == '1';
        long? contentLength = null;
        var chunked = false;
        string? contentType = null;
        var rest = head[(lineEnd + 2)..];
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf("\r\n"u8);
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? default : rest[(end + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0) continue;
            var name = line[..colon];
            var value = line[(colon + 1)..].Trim(" \t"u8);
            if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                if (!Utf8Parser.TryParse(value, out long n, out var used) || used != value.Length || n < 0)
                    throw new EndOfAnswerException("the answer's Content-Length is not a number");
                contentLength = n;
            }
            else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
                chunked = value.Length >= 7 && Ascii.EqualsIgnoreCase(value[^7..], "chunked"u8);
            else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                if (Ascii.EqualsIgnoreCase(value, "close"u8)) keepAlive = false;
                else if (Ascii.EqualsIgnoreCase(value, "keep-alive"u8)) keepAlive = true;
            }
            else if (_kept is not null && Ascii.EqualsIgnoreCase(name, "Content-Type"u8))
                contentType = Encoding.Latin1.GetString(value);
        }
        if (status is >= 100 and < 200) return; // an interim answer; the final one follows
        (Status, KeepAlive, ContentType) = (status, keepAlive, contentType);
        if (chunked) _state = State.ChunkLine;
        else if (contentLength is { } length) (_state, _remaining) = length == 0 ? (State.Done, 0L) : (State.Length, length);
        else if (status is 204 or 304) _state = State.Done;
        else
        {
            _state = State.ToEnd;
            KeepAlive = false;
        }
    }
}
