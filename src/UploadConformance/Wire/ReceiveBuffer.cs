namespace UploadConformance.Wire;

/// <summary>Bytes received from a connection and not yet parsed, in one array (after System.Net's
/// ArrayBuffer). Invariants: 0 ≤ <c>_start</c> ≤ <c>_end</c> ≤ <c>_bytes.Length</c>; the active bytes
/// are <c>[_start, _end)</c> and the space to read into is <c>[_end, Length)</c>. The array grows
/// only when a line must be held whole, up to <see cref="MaxBytes"/>.</summary>
public sealed class ReceiveBuffer(int initialBytes = 16 * 1024, int maxBytes = 128 * 1024)
{
    private byte[] _bytes = new byte[initialBytes];
    private int _start;
    private int _end;

    public int MaxBytes { get; } = maxBytes;

    /// <summary>Received, not yet consumed.</summary>
    public ReadOnlySpan<byte> Active => _bytes.AsSpan(_start, _end - _start);

    public int ActiveLength => _end - _start;

    /// <summary>Where the next read goes; never empty after <see cref="EnsureSpace"/>.</summary>
    public Memory<byte> Available => _bytes.AsMemory(_end);

    /// <summary><paramref name="count"/> bytes were read into <see cref="Available"/>.</summary>
    public void Commit(int count) => _end += count;

    /// <summary>The first <paramref name="count"/> active bytes were parsed.</summary>
    public void Discard(int count)
    {
        _start += count;
        if (_start == _end) _start = _end = 0;
    }

    public void Clear() => _start = _end = 0;

    /// <summary>Makes room to read: moves the active bytes to the front, or doubles the array.</summary>
    /// <exception cref="AnswerException">The active bytes alone fill <see cref="MaxBytes"/>.</exception>
    public void EnsureSpace()
    {
        if (_end < _bytes.Length) return;
        if (_start > 0)
        {
            _bytes.AsSpan(_start, _end - _start).CopyTo(_bytes);
            (_start, _end) = (0, _end - _start);
            return;
        }
        if (_bytes.Length >= MaxBytes) throw new AnswerException(AnswerFault.HeadTooLarge,
            $"a line of the answer is over {MaxBytes} bytes");
        Array.Resize(ref _bytes, Math.Min(MaxBytes, _bytes.Length * 2));
    }
}
