using System.Globalization;
using System.Text;
using UploadConformance.Payloads;

namespace UploadConformance.Wire;

/// <summary>A request plan as the bytes that go on the wire, built once and sent many times by
/// <see cref="Http1Client"/>. A request is one contiguous array while the copies fit a budget, so it
/// leaves in one write; past it, the head, the payload's bytes (shared by every plan that sends that
/// payload) and the tail; a payload too big to hold is streamed from its source each time.</summary>
public sealed class PreparedRequest
{
    /// <summary>Payloads up to this size are folded into the request's own array.</summary>
    private const int InlinePayloadBytes = 64 * 1024;

    private PreparedRequest(RequestPlan plan, ReadOnlyMemory<byte>[] pieces, MultipartBody? streamed, long length,
        long payloadBytes)
    {
        Plan = plan;
        Pieces = pieces;
        StreamedBody = streamed;
        Length = length;
        PayloadBytes = payloadBytes;
    }

    public RequestPlan Plan { get; }
    /// <summary>What to write, in order. When <see cref="StreamedBody"/> is set this is the head alone.</summary>
    public ReadOnlyMemory<byte>[] Pieces { get; }
    public MultipartBody? StreamedBody { get; }
    /// <summary>Head and body, in bytes.</summary>
    public long Length { get; }
    /// <summary>File bytes in the body, for the statistics.</summary>
    public long PayloadBytes { get; }

    /// <summary>Plans the lean client can send exactly as <see cref="Uploader"/> would: a declared
    /// length, no abort, no pacing, no 100-continue, the body's own Content-Type.</summary>
    public static bool CanPrepare(RequestPlan plan) =>
        plan.Wire is { Framing: Framing.ContentLength, AbortAt: null, RateCapBytesPerSecond: null,
        ExpectContinue: false, ContentTypeOverride: null }
        && plan.Request.Header.All(h => IsToken(h.Key) && !h.Value.AsSpan().ContainsAny('\r', '\n'));

    public static async Task<PreparedRequest> CreateAsync(RequestPlan plan, PayloadBytes payloads,
        CancellationToken cancellationToken)
    {
        if (!CanPrepare(plan)) throw new ArgumentException(
            "this plan needs the full uploader (abort, pacing, chunked framing or odd headers)");
        var body = plan.BuildBody();
        var head = new StringBuilder();
        var url = plan.Request.Url;
        head.Append("POST ").Append(url.PathAndQuery).Append(" HTTP/1.1\r\nHost: ").Append(url.Authority).Append(
            "\r\n");
        foreach (var (name, value) in plan.Request.Header)
        {
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase)
                || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
                || name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)) continue;
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }
        head.Append("Content-Type: ").Append(body.ContentType).Append("\r\nContent-Length: ")
            .Append(body.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n\r\n");
        var headBytes = Encoding.UTF8.GetBytes(head.ToString());
        var payloadBytes = plan.Request.Files().Sum(f => f.File.Payload.Length);

        var pieces = new List<ReadOnlyMemory<byte>>();
        var current = new MemoryStream();
        current.Write(headBytes);
        foreach (var (bytes, payload) in body.Segments())
        {
            if (payload is null)
            {
                current.Write(bytes.Span);
                continue;
            }
            var held = await payloads.GetAsync(payload, cancellationToken).ConfigureAwait(false);
            if (held is null)
                return new PreparedRequest(plan, [headBytes], body, headBytes.Length + body.Length, payloadBytes);
            // One contiguous request leaves in one write, as wrk sends it; copies beyond a budget share the payload
            // instead.
            if (held.Value.Length <= InlinePayloadBytes || payloads.TryReserveCopy(held.Value.Length))
            {
                current.Write(held.Value.Span);
                continue;
            }
            pieces.Add(current.ToArray());
            pieces.Add(held.Value);
            current = new MemoryStream();
        }
        if (current.Length > 0) pieces.Add(current.ToArray());
        return new PreparedRequest(plan, [.. pieces], null, headBytes.Length + body.Length, payloadBytes);
    }

    private static bool IsToken(string name) =>
        name.Length > 0 && name.All(c => c is > ' ' and < '\u007f' && !"()<>@,;:\\\"/[]?={}".Contains(c));
}

/// <summary>Payloads read into memory once and shared by every prepared request that sends them,
/// within a budget; a payload that does not fit is left to be streamed.</summary>
public sealed class PayloadBytes(long budget = 256L << 20, long largestHeld = 32L << 20, long copyBudget = 128L << 20)
{
    private readonly Dictionary<IPayload, ReadOnlyMemory<byte>> _held = new(ReferenceEqualityComparer.Instance);
    private long _used;
    private long _copied;

    /// <summary>Room for one more request holding its own copy of a payload.</summary>
    public bool TryReserveCopy(long bytes)
    {
        if (_copied + bytes > copyBudget) return false;
        _copied += bytes;
        return true;
    }

    public async Task<ReadOnlyMemory<byte>?> GetAsync(IPayload payload, CancellationToken cancellationToken)
    {
        if (_held.TryGetValue(payload, out var bytes)) return bytes;
        if (payload.Length > largestHeld || _used + payload.Length > budget) return null;
        var array = new byte[payload.Length];
        await using (var stream = payload.OpenRead())
            await stream.ReadExactlyAsync(array, cancellationToken).ConfigureAwait(false);
        _used += array.Length;
        _held[payload] = array;
        return array;
    }
}
