using System.Text;

namespace UploadConformance.Wire;

/// <summary>An answer's body as wx hands it to the client: collected up to a cap (a server sending
/// garbage must not exhaust our memory), counted in full, then decoded as UTF-8 with one BOM
/// stripped. Every client of ours (HttpClient, the lean client, the raw socket) collects through it.</summary>
public sealed class AnswerBody
{
    /// <summary>Answers echo formData, so a 1 MB field comes back; past this the answer is cut.</summary>
    public const int MaxBytes = 8 << 20;

    private byte[] _bytes = [];
    private int _kept;

    /// <summary>With <paramref name="keep"/> false only the size is counted (a load run that checks
    /// nothing in the answer does not pay for it).</summary>
    public AnswerBody(bool keep = true) => Keep = keep;

    public bool Keep { get; private set; }

    /// <summary>Bytes that arrived, kept or not.</summary>
    public long Received { get; private set; }

    /// <summary>The kept body was cut at <see cref="MaxBytes"/>.</summary>
    public bool Truncated => Received > _kept && Keep;

    public void Reset(bool keep)
    {
        (Keep, Received, _kept) = (keep, 0, 0);
    }

    public void Append(ReadOnlySpan<byte> piece)
    {
        Received += piece.Length;
        if (!Keep || _kept >= MaxBytes || piece.IsEmpty) return;
        var take = Math.Min(piece.Length, MaxBytes - _kept);
        if (_kept + take > _bytes.Length) Array.Resize(ref _bytes,
            Math.Min(MaxBytes, Math.Max(_kept + take, Math.Max(4096, _bytes.Length * 2))));
        piece[..take].CopyTo(_bytes.AsSpan(_kept));
        _kept += take;
    }

    /// <summary>The kept body as a string; null when it was not kept.</summary>
    public string? Text()
    {
        if (!Keep) return null;
        var span = _bytes.AsSpan(0, _kept);
        if (span.StartsWith(Encoding.UTF8.Preamble)) span = span[3..];
        return Encoding.UTF8.GetString(span);
    }

    /// <summary>Reads a whole stream (HttpClient's content) into the body.</summary>
    public async Task ReadFromAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0) Append(
                buffer.AsSpan(0, read));
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

/// <summary>The final answer as our clients record it: status, Content-Type, whether a 100 Continue
/// came first, and the body; the parser's handler for the lean client and the raw socket.</summary>
public sealed class AnswerCollector : IAnswerHandler
{
    public AnswerBody Body { get; } = new();
    public int Status { get; private set; }
    public string? ContentType { get; private set; }
    public bool SawContinue { get; private set; }
    private bool _interim;

    public void Reset(bool keepBody)
    {
        Body.Reset(keepBody);
        (Status, ContentType, SawContinue, _interim) = (0, null, false, false);
    }

    public void OnStatus(int status, bool interim)
    {
        _interim = interim;
        if (interim) SawContinue |= status == 100;
        else Status = status;
    }

    public void OnHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        // Only what a check reads is turned into a string; a load run keeping no body keeps no type.
        if (!_interim && Body.Keep && System.Text.Ascii.EqualsIgnoreCase(name, "Content-Type"u8)) ContentType =
            Encoding.Latin1.GetString(value);
    }

    public void OnBody(ReadOnlySpan<byte> piece) => Body.Append(piece);
}
