namespace UploadConformance.Wire;

/// <summary>How long connections took to open: TCP connect, and the TLS handshake apart from it,
/// in microseconds. Shared by every client of a run; recorded once per connection, not per request.</summary>
public sealed class ConnectionTimings
{
    private readonly object _gate = new();
    private readonly HdrHistogram.LongHistogram _connect = new(1, 60_000_000, 3);
    private readonly HdrHistogram.LongHistogram _handshake = new(1, 60_000_000, 3);

    public void Record(TimeSpan connect, TimeSpan? handshake)
    {
        lock (_gate)
        {
            _connect.RecordValue(Math.Clamp((long)connect.TotalMicroseconds, 1, 60_000_000));
            if (handshake is { } h) _handshake.RecordValue(Math.Clamp((long)h.TotalMicroseconds, 1, 60_000_000));
        }
    }

    public (HdrHistogram.HistogramBase Connect, HdrHistogram.HistogramBase Handshake) Snapshot()
    {
        lock (_gate) return (_connect.Copy(), _handshake.Copy());
    }
}
