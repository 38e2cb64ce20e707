using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using UploadConformance.Payloads;
using UploadConformance.Requests;
using UploadConformance.Wire;
using Server = UploadConformance.ReferenceServer.ReferenceServer;

namespace UploadConformance.Tests;

/// <summary>The load engine's lean HTTP/1.1 client: its answer parser fed in every split, and the
/// client against the reference server and against scripted servers that misbehave on purpose.</summary>
public class Http1ClientTests
{
    private static RequestPlan Plan(Uri url, IPayload payload, int? timeoutMs = null) =>
        RequestPlan.For(new UploadRequest
    {
        Url = url,
        Name = "images",
        File = new UploadFile(payload, "tmp_0123.jpg", "image/jpeg"),
        FormData = new FormValue.Object([new("user", new FormValue.Text("测试")), new("n", new FormValue.Number(1))]),
        TimeoutMs = timeoutMs,
    }, FormDataEncoding.JsString);

    private static Task<PreparedRequest> Prepare(RequestPlan plan) =>
        PreparedRequest.CreateAsync(plan, new PayloadBytes(), CancellationToken.None);

    public static TheoryData<string, int, string> Answers => new()
    {
        { "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello", 200, "hello" },
        { "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nhel\r\n2\r\nlo\r\n0\r\nX-Trailer: "
        + "y\r\n\r\n", 201, "hello" },
        { "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 413 Payload Too Large\r\ncontent-length: 2\r\n\r\nno", 413, "no" },
        { "HTTP/1.1 204 No Content\r\n\r\n", 204, "" },
        { "HTTP/1.0 200 OK\r\n\r\nuntil the end", 200, "until the end" },
        { "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n\uFEFFok", 200, "ok" }, // a BOM is 3 bytes, stripped as wx does
        // bare LF line ends, which RFC 9112 lets a client accept
        { "HTTP/1.1 200 OK\nContent-Length: 2\n\nok", 200, "ok" },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public void The_parser_reads_an_answer_the_same_however_its_bytes_are_split(string wire, int status, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(wire);
        for (var split = 0; split <= bytes.Length; split++)
        {
            var parser = new AnswerParser();
            var answer = new AnswerCollector();
            parser.Reset();
            answer.Reset(keepBody: true);
            var pending = new List<byte>();
            foreach (var part in new[] { bytes[..split], bytes[split..] })
            {
                pending.AddRange(part);
                var used = parser.Parse(pending.ToArray(), answer);
                pending.RemoveRange(0, used);
            }
            if (!parser.Done) parser.End();
            Assert.True(parser.Done, $"split at {split}");
            Assert.Equal(status, parser.Status);
            Assert.Equal(status, answer.Status);
            Assert.Equal(body, answer.Body.Text());
            Assert.Empty(pending);
        }
    }

    [Fact]
    public void An_answer_cut_short_or_not_HTTP_is_an_error_not_a_result()
    {
        var answer = new AnswerCollector();
        var cut = new AnswerParser();
        cut.Parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"u8, answer);
        Assert.Equal(AnswerFault.EndedEarly, Assert.Throws<AnswerException>(cut.End).Fault);

        var garbage = new AnswerParser();
        Assert.Equal(AnswerFault.NotHttp,
            Assert.Throws<AnswerException>(() => garbage.Parse("SSH-2.0-OpenSSH\r\n\r\n"u8, answer)).Fault);

        var endless = new AnswerParser(new AnswerLimits(MaxHeadBytes: 100, MaxChunkLineBytes: 10));
        var head = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nX-Padding: " + new string('p', 200));
        Assert.Equal(AnswerFault.HeadTooLarge, Assert.Throws<AnswerException>(() => endless.Parse(head, answer)).Fault);

        var twoLengths = new AnswerParser();
        Assert.Equal(AnswerFault.BadContentLength,
            Assert.Throws<AnswerException>(() =>
            twoLengths.Parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n"u8, answer)).Fault);
    }

    [Fact]
    public async Task Against_the_reference_server_every_upload_is_stored_byte_exact_over_one_kept_alive_connection()
    {
        await using var server = await Server.StartAsync(new ReferenceServer.ReferenceServerOptions());
        var payload = new GeneratedPayload(300_000, 7);
        var prepared = await Prepare(Plan(server.UploadUrl, payload));
        Assert.Single(prepared.Pieces); // head, payload and tail in one array: one write
        var shared =
            await PreparedRequest.CreateAsync(Plan(server.UploadUrl, payload), new PayloadBytes(copyBudget: 0),
            CancellationToken.None);
        Assert.Equal(3, shared.Pieces.Length); // past the copy budget: head, the shared payload, tail
        using var client = new Http1Client(server.UploadUrl, 4);
        for (var i = 0; i < 20; i++)
        {
            var outcome =
                await client.SendAsync(i % 2 == 0 ? prepared : shared, keepData: true, CancellationToken.None);
            Assert.True(outcome.StatusCode == 200, outcome.Error ?? outcome.Data);
            using var answer = JsonDocument.Parse(outcome.Data!);
            Assert.Equal(payload.Sha256, answer.RootElement.GetProperty("data").GetProperty("sha256").GetString());
            Assert.Equal(prepared.Length, outcome.BytesSent);
            Assert.Equal("HTTP/1.1", outcome.Protocol);
        }
        Assert.Equal(1, client.Connections);
        Assert.Equal(20, server.Store.Snapshot().FilesStored);
    }

    [Fact]
    public async Task A_kept_alive_connection_the_server_closed_is_retried_once_on_a_new_one()
    {
        // Answers one request per connection and closes without saying so, as an idle timeout does.
        await using var server = new ScriptedServer(async (stream, _) =>
        {
            await ReadRequestAsync(stream);
            await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"u8.ToArray());
        });
        using var client = new Http1Client(server.Url, 1);
        var prepared = await Prepare(Plan(server.Url, new BytesPayload(new byte[100])));
        var first = await client.SendAsync(prepared, false, CancellationToken.None);
        await server.WaitForClosedAsync(1);
        var second = await client.SendAsync(prepared, false, CancellationToken.None);
        Assert.Equal(200, first.StatusCode);
        Assert.True(second.StatusCode == 200, second.Error);
        Assert.Equal(2, client.Connections);
    }

    [Fact]
    public async Task A_server_that_never_answers_is_a_wx_timeout_at_the_client_timeout()
    {
        await using var server = new ScriptedServer(async (stream, ct) =>
        {
            await ReadRequestAsync(stream);
            await Task.Delay(Timeout.Infinite, ct);
        });
        using var client = new Http1Client(server.Url, 1);
        var outcome =
            await client.SendAsync(await Prepare(Plan(server.Url, new BytesPayload(new byte[10]), timeoutMs: 300)),
            false, CancellationToken.None);
        Assert.Equal(FailureKind.Timeout, outcome.Failure);
        Assert.Equal("uploadFile:fail timeout", outcome.ErrMsg);
        // Timers tick in whole milliseconds of a coarser clock than Stopwatch's, so "at 300 ms" may read 299.x.
        Assert.True(outcome.Elapsed >= TimeSpan.FromMilliseconds(250), outcome.Elapsed.ToString());
    }

    [Fact]
    public async Task An_answer_that_comes_before_the_body_is_in_is_the_result()
    {
        // Refuses after the head, as a server with a size limit does, then reads the rest as nginx's lingering close
        // does.
        await using var server = new ScriptedServer(async (stream, _) =>
        {
            var seen = new List<byte>();
            var buffer = new byte[64 * 1024];
            while (IndexOf(seen, "\r\n\r\n"u8.ToArray()) < 0)
            {
                var n = await stream.ReadAsync(buffer);
                if (n == 0) return;
                seen.AddRange(buffer.AsSpan(0, n));
            }
            await stream.WriteAsync(
                "HTTP/1.1 413 Payload Too Large\r\nContent-Length: 2\r\nConnection: close\r\n\r\nno"u8.ToArray());
            while (await stream.ReadAsync(buffer) > 0) { }
        });
        using var client = new Http1Client(server.Url, 1);
        var prepared = await Prepare(Plan(server.Url, new GeneratedPayload(8 << 20, 3)));
        var first = await client.SendAsync(prepared, keepData: true, CancellationToken.None);
        var second = await client.SendAsync(prepared, keepData: true, CancellationToken.None);
        Assert.True(first.StatusCode == 413, first.Error);
        Assert.Equal("no", first.Data);
        Assert.Equal(413, second.StatusCode);
    }

    [Fact]
    public async Task Garbage_instead_of_an_answer_is_a_one_line_failure()
    {
        await using var server = new ScriptedServer(async (stream, _) =>
        {
            await ReadRequestAsync(stream);
            await stream.WriteAsync("<html>hello</html>\r\n\r\n"u8.ToArray());
        });
        using var client = new Http1Client(server.Url, 1);
        var outcome =
            await client.SendAsync(await Prepare(Plan(server.Url, new BytesPayload(new byte[10]))), false,
            CancellationToken.None);
        Assert.Equal(FailureKind.Reset, outcome.Failure);
        Assert.Equal("the answer does not start with an HTTP/1.x status line", outcome.Error);
    }

    [Fact]
    public void Plans_the_lean_client_cannot_send_as_HttpClient_would_are_left_to_HttpClient()
    {
        var plan = Plan(new Uri("http://127.0.0.1:1/image"), new BytesPayload(new byte[10]));
        Assert.True(PreparedRequest.CanPrepare(plan));
        Assert.False(PreparedRequest.CanPrepare(plan with { Wire = plan.Wire with { Framing = Framing.Chunked } }));
        Assert.False(
            PreparedRequest.CanPrepare(plan with { Wire = plan.Wire with { AbortAt = AbortPoint.AtFraction(0.5) } }));
        Assert.False(PreparedRequest.CanPrepare(plan with { Wire = plan.Wire with { ExpectContinue = true } }));
        Assert.False(
            PreparedRequest.CanPrepare(
            plan with { Request = plan.Request with { Header = [new("X-Bad", "a\r\nInjected: 1")] } }));
        Assert.False(
            Http1Client.Supports(new Uri("http://127.0.0.1/"), new TlsOptions { Http = HttpVersion.Version20 }));
    }

    /// <summary>Reads a request head and as much body as its Content-Length says.</summary>
    private static async Task ReadRequestAsync(Stream stream)
    {
        var seen = new List<byte>();
        var buffer = new byte[64 * 1024];
        int headEnd;
        while ((headEnd = IndexOf(seen, "\r\n\r\n"u8.ToArray())) < 0)
        {
            var n = await stream.ReadAsync(buffer);
            if (n == 0) return;
            seen.AddRange(buffer.AsSpan(0, n));
        }
        var head = Encoding.ASCII.GetString(seen.ToArray(), 0, headEnd);
        var length =
            long.Parse(
            head.Split("\r\n").First(l =>
            l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))[15..].Trim());
        var remaining = length - (seen.Count - headEnd - 4);
        while (remaining > 0)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)));
            if (n == 0) return;
            remaining -= n;
        }
    }

    private static int IndexOf(List<byte> haystack, byte[] needle) => haystack.ToArray().AsSpan().IndexOf(needle);

    /// <summary>A loopback TCP server that runs a script per connection and then closes it.</summary>
    private sealed class ScriptedServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _accepting;
        private readonly SemaphoreSlim _closed = new(0);

        public ScriptedServer(Func<Stream, CancellationToken, Task> script)
        {
            _listener.Start();
            Url = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/image");
            _accepting = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    TcpClient connection;
                    try { connection = await _listener.AcceptTcpClientAsync(_stop.Token); }
                    catch (OperationCanceledException) { return; }
                    _ = Task.Run(async () =>
                    {
                        using (connection)
                        {
                            try { await script(connection.GetStream(), _stop.Token); }
                            catch (Exception e) when (e is OperationCanceledException or IOException) { }
                        }
                        _closed.Release();
                    });
                }
            });
        }

        public Uri Url { get; }

        public async Task WaitForClosedAsync(int count)
        {
            for (var i = 0; i < count; i++) await _closed.WaitAsync(TimeSpan.FromSeconds(10));
        }

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            _listener.Stop();
            await _accepting;
        }
    }
}
