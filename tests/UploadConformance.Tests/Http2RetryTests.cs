using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using UploadConformance.Load;
using UploadConformance.Payloads;
using UploadConformance.Scenarios;
using UploadConformance.Targets;
using UploadConformance.Wire;

namespace UploadConformance.Tests;

/// <summary>A bare h2c server written frame by frame: it refuses the first stream of every connection with
/// RST_STREAM(REFUSED_STREAM), as a server at its stream limit does, and answers 200 to the rest once their body
/// is in. It knows just enough HTTP/2 for that (SETTINGS, PING, and a static-table <c>:status 200</c>).</summary>
public sealed class RefusingH2Server : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _refused;
    private int _answered;

    public RefusingH2Server()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/image");
    public int Refused => Volatile.Read(ref _refused);
    public int Answered => Volatile.Read(ref _answered);

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = ServeAsync(client);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        var ct = _stop.Token;
        try
        {
            await stream.ReadExactlyAsync(new byte[24], ct); // the client preface
            await WriteFrameAsync(stream, 0x4, 0, 0, []); // our SETTINGS, empty
            var first = true;
            var header = new byte[9];
            while (true)
            {
                await stream.ReadExactlyAsync(header, ct);
                var length = (header[0] << 16) | (header[1] << 8) | header[2];
                var (type, flags) = (header[3], header[4]);
                var id = (int)(BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(5)) & 0x7FFFFFFF);
                var payload = new byte[length];
                await stream.ReadExactlyAsync(payload, ct);
                switch (type)
                {
                    case 0x4 when (flags & 0x1) == 0: // SETTINGS: acknowledged
                        await WriteFrameAsync(stream, 0x4, 0x1, 0, []);
                        break;
                    case 0x6 when (flags & 0x1) == 0: // PING: answered
                        await WriteFrameAsync(stream, 0x6, 0x1, 0, payload);
                        break;
                    case 0x1 or 0x0 when (flags & 0x1) != 0 && first: // the first stream's whole body: refused
                        first = false;
                        Interlocked.Increment(ref _refused);
                        await WriteFrameAsync(stream, 0x3, 0, id, [0, 0, 0, 0x7]);
                        break;
                    case 0x1 or 0x0 when (flags & 0x1) != 0: // the request's end: answered
                        await WriteFrameAsync(stream, 0x1, 0x4, id, [0x88]); // :status 200, static index 8
                        await WriteFrameAsync(stream, 0x0, 0x1, id, "{\"code\":0}"u8.ToArray());
                        Interlocked.Increment(ref _answered);
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or OperationCanceledException
            or SocketException)
        {
        }
    }

    private static async Task WriteFrameAsync(NetworkStream stream, byte type, byte flags, int id, byte[] payload)
    {
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(5), (uint)id);
        payload.CopyTo(frame, 9);
        await stream.WriteAsync(frame);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}

/// <summary>nginx terminating TLS with HTTP/2 and a low <c>keepalive_requests</c> in front of a reference server:
/// it sends GOAWAY after every 100 requests on a connection.</summary>
public sealed class NginxGoAwayFixture() : NginxFixtureBase(tls: true, http: "keepalive_requests 100;");

[Collection("timing")]
public class Http2RetryTests(NginxGoAwayFixture nginx) : IClassFixture<NginxGoAwayFixture>
{
    /// <summary>Against nginx's GOAWAY every 100 requests, 32 streams at once: streams caught above a GOAWAY's
    /// last stream are sent again (by HttpClient itself, or by us when it gives one up) and counted, and none is
    /// a failed upload.</summary>
    [Fact]
    public async Task Against_nginx_with_keepalive_requests_100_no_upload_fails_and_the_retries_are_counted()
    {
        var profile = TargetProfile.Reference(nginx.Url, anyField: true) with { Stats = null };
        var scenario = ScenarioLoader.Parse("""
            mix:
              - { name: small, bytes: 1500, formData: none }
            load:
              - keepConstant: { copies: 32, during: 3s }
            """, "goaway.yaml");
        using var engine = new LoadEngine(scenario, profile, new RequestMix(scenario, profile, ImageFactory.Default()),
            nginx.Tls);
        var outcome = await engine.RunAsync(null, CancellationToken.None);

        Assert.True(outcome.All.Requests > 1000, $"{outcome.All.Requests} uploads");
        Assert.True(outcome.All.Failed == 0, $"failed: {string.Join(", ", outcome.All.Errors)}");
        Assert.Equal(outcome.All.Requests, outcome.All.Ok);
        // Every 100th request ends a connection with up to 31 others under way on it: some were caught.
        Assert.True(outcome.All.Retried.Values.Sum() > 0, "no retry counted");
    }

    private static TlsOptions H2c => new TlsOptions { Http = HttpVersion.Version20 }.Load();

    [Fact]
    public async Task A_stream_refused_with_REFUSED_STREAM_is_sent_again_and_counted_as_retried()
    {
        await using var server = new RefusingH2Server();
        using var uploader = new Uploader(H2c);
        var plan = RequestPlan.For(new Requests.UploadRequest
        {
            Url = server.Url,
            Name = "file",
            File = new Requests.UploadFile(new BytesPayload(new byte[2000]), "a.jpg", "image/jpeg"),
        }, Requests.FormDataEncoding.JsString);

        var outcome = await uploader.SendAsync(plan);

        Assert.Equal(200, outcome.StatusCode);
        // HttpClient sends a refused stream again itself; the body written twice is how the outcome knows.
        Assert.Equal(Uploader.HttpClientRetry, outcome.Retried);
        Assert.Equal(1, server.Refused);
        Assert.Equal(1, server.Answered);
    }
}

/// <summary>HTTP/2's shape in a scenario: exactly <c>connections</c> connections, each carrying up to
/// <c>streams</c> uploads at once, as h2load's <c>-c</c> and <c>-m</c>.</summary>
[Collection("timing")]
public class Http2ConnectionsTests
{
    [Fact]
    public async Task Three_connections_of_two_streams_carry_twelve_copies_six_at_a_time()
    {
        await using var server = await ReferenceServer.ReferenceServer.StartAsync(
            new ReferenceServer.ReferenceServerOptions
        {
            H2c = true, FileField = "*", ProcessingTime = TimeSpan.FromMilliseconds(60),
        });
        var profile = TargetProfile.Reference(server.UploadUrl, anyField: true);
        var scenario = ScenarioLoader.Parse("""
            connections: 3
            streams: 2
            mix:
              - { name: small, bytes: 2000 }
            load:
              - iterationsForConstant: { copies: 12, iterations: 48 }
            """, "h2-shape.yaml");
        var tls = new TlsOptions { Http = HttpVersion.Version20 }.Load();
        using var engine = new LoadEngine(scenario, profile, new RequestMix(scenario, profile, ImageFactory.Default()),
            tls);
        var outcome = await engine.RunAsync(null, CancellationToken.None);

        Assert.Equal(48, outcome.All.Ok);
        Assert.Equal(3, outcome.Connections);
        // Twelve copies on six streams: each upload waits about one 60 ms answer for a stream, as blocked time.
        var blocked = outcome.All.Phase(Phase.Blocked).GetValueAtPercentile(50) / 1000.0;
        Assert.True(blocked > 30, $"blocked p50 {blocked} ms with twice the copies of streams");
        Assert.Equal(48, server.Store.Snapshot().Requests);
    }
}
