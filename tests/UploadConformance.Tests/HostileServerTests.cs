using System.Net;
using System.Net.Sockets;
using System.Text;
using UploadConformance.Results;

namespace UploadConformance.Tests;

/// <summary>How a hostile server misbehaves.</summary>
public enum Hostility
{
    /// <summary>A 200 whose body is random bytes with NULs, terminal escape sequences and bidi overrides.</summary>
    Garbage,
    /// <summary>A 200 with a body of 20 MB.</summary>
    Huge,
    /// <summary>Answers GETs, and resets every upload's connection.</summary>
    Resetting,
    /// <summary>Sends its answer's head a byte at a time, over a second and a half.</summary>
    Dribbling,
}

/// <summary>A loopback server that behaves as <see cref="Hostility"/> says, on every connection.</summary>
public sealed class HostileServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly Hostility _kind;

    public HostileServer(Hostility kind)
    {
        _kind = kind;
        _listener.Start();
        Url = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/upload");
        _accepting = AcceptAsync();
    }

    public Uri Url { get; }

    public static byte[] GarbageBytes()
    {
        var random = new Random(42);
        var bytes = new byte[600];
        random.NextBytes(bytes);
        var hostile = Encoding.UTF8.GetBytes("\0\u001b[31mRED\u001b]0;pwned\u0007\u202eevil\r\n\0");
        return [.. hostile, .. bytes, .. hostile];
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var _ = socket;
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        bound.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            var head = await ReadHeadAsync(stream, bound.Token);
            if (head is null) return;
            if (_kind == Hostility.Resetting && head.StartsWith("POST", StringComparison.Ordinal))
            {
                socket.LingerState = new LingerOption(true, 0); // close with RST
                return;
            }
            await DrainBodyAsync(stream, head, bound.Token);
            await AnswerAsync(stream, head, bound.Token);
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
            // The client went away or gave up, as clients facing such a server do.
        }
    }

    private async Task AnswerAsync(NetworkStream stream, string head, CancellationToken ct)
    {
        switch (_kind)
        {
            case Hostility.Garbage:
                var garbage = GarbageBytes();
                await stream.WriteAsync(Encoding.ASCII.GetBytes(
                    $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                    + $"{garbage.Length}\r\nConnection: close\r\n\r\n"), ct);
                await stream.WriteAsync(garbage, ct);
                break;
            case Hostility.Huge:
                const int size = 20 * 1000 * 1000;
                await stream.WriteAsync(
                    Encoding.ASCII.GetBytes(
                    $"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {size}\r\nConnection: "
                    + $"close\r\n\r\n"), ct);
                var block = new byte[64 * 1024];
                Array.Fill(block, (byte)'x');
                for (var sent = 0; sent < size; sent += block.Length) await stream.WriteAsync(
                    block.AsMemory(0, Math.Min(block.Length, size - sent)), ct);
                break;
            case Hostility.Resetting:
                var ok = "{\"status\":\"ok\"}"u8.ToArray();
                await stream.WriteAsync(Encoding.ASCII.GetBytes(
                    $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                    + $"{ok.Length}\r\nConnection: close\r\n\r\n"), ct);
                await stream.WriteAsync(ok, ct);
                break;
            case Hostility.Dribbling:
                var body = "{\"code\":1,\"msg\":\"slow\"}"u8.ToArray();
                var answer =
                    Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Slow: "
                    + $"{new string('s', 30)}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
                var pause = TimeSpan.FromMilliseconds(1500.0 / answer.Length);
                foreach (var b in answer)
                {
                    await stream.WriteAsync(new[] { b }, ct);
                    await Task.Delay(pause, ct); // the misbehaviour itself: a head that takes its time
                }
                await stream.WriteAsync(body, ct);
                break;
        }
    }

    private static async Task<string?> ReadHeadAsync(NetworkStream stream, CancellationToken ct)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 64 * 1024)
        {
            if (await stream.ReadAsync(one, ct) == 0) return null;
            head.Add(one[0]);
            if (head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r'
                && head[^1] == '\n') return Encoding.Latin1.GetString([.. head]);
        }
        return null;
    }

    /// <summary>Reads the request body (declared length, or chunked up to its last chunk) so that the
    /// answer is not lost to a reset of unread bytes.</summary>
    private static async Task DrainBodyAsync(NetworkStream stream, string head, CancellationToken ct)
    {
        var lines = head.Split("\r\n");
        var length =
            lines.FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)) is { } cl
            ? long.Parse(cl.Split(':')[1].Trim()) : 0;
        var chunked =
            lines.Any(l => l.StartsWith("Transfer-Encoding:", StringComparison.OrdinalIgnoreCase)
            && l.Contains("chunked", StringComparison.OrdinalIgnoreCase));
        var buffer = new byte[64 * 1024];
        var tail = new List<byte>();
        for (long read = 0; chunked || read < length;)
        {
            var n = await stream.ReadAsync(
                buffer.AsMemory(0, chunked ? buffer.Length : (int)Math.Min(buffer.Length, length - read)), ct);
            if (n == 0) return;
            read += n;
            if (!chunked) continue;
            tail.AddRange(buffer.AsSpan(0, n).ToArray());
            if (tail.Count > 16) tail.RemoveRange(0, tail.Count - 16);
            if (Encoding.ASCII.GetString([.. tail]).EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal)) return;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accepting;
    }
}

/// <summary>Every verb that talks to a target, against a server that misbehaves: each ends with its
/// documented exit code, writes every report (junit.xml valid against docs/junit.xsd, the HTML
/// opening in Chromium), and the terminal sees the server's bytes only as escapes.</summary>
public abstract class HostileServerTests(Hostility kind)
{
    public static TheoryData<string> Verbs => new() { "run", "conform", "load", "upload" };

    [Theory]
    [MemberData(nameof(Verbs))]
    public async Task The_verb_ends_with_its_exit_code_and_every_report_written_and_valid(string verb)
    {
        await using var server = new HostileServer(kind);
        var dir = Path.Combine(Path.GetTempPath(), $"uc-hostile-{kind}-{verb}-{Guid.NewGuid():N}");
        var scenario = dir + ".yaml";
        await File.WriteAllTextAsync(scenario,
            "mix:\n  - { name: small, bytes: 3000 }\nload:\n  - iterationsForInject: { rate: 10, interval: 1s, "
            + "iterations: 10 }\n"
            + "thresholds:\n  - error_rate < 1%\n");
        string[] args = verb switch
        {
            "run" => ["run"],
            "conform" => ["conform", "--suite", "answers"],
            "load" => ["load", "--scenario", scenario],
            _ => ["upload", "--size", "10KiB"],
        };
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await Cli.Cli.RunAsync([.. args, "--target", server.Url.ToString(), "--out", dir], stdout, stderr,
            CancellationToken.None);
        var output = stdout.ToString();

        // Every answer here is a fail (unreadable, reset) except the dribbler's business error inside a 200
        // to conform's answers cases, a safe refusal of edge requests (non-strict); upload's own file refused
        // is never a pass, and a load run's error rate breaches its threshold either way.
        var expected = kind == Hostility.Dribbling && verb is "conform" ? 0 : 1;
        Assert.True(code == expected, $"exit {code}\n{output}\n{stderr}");
        Assert.Empty(stderr.ToString());
        var control = output.FirstOrDefault(c => c < ' ' && c != '\n' || c is '\u007f' or '\u202e');
        Assert.True(control == default, $"a control character U+{(int)control:X4} reached the terminal:\n{output}");
        // Case verbs print each failing case's reason, which quotes the answer: escaped, not raw.
        if (kind == Hostility.Garbage && verb != "load") Assert.Contains("\\x00", output);

        var results = ResultsFile.Read(dir);
        Assert.True(results.Cases.Count > 0 || results.Load is not null);
        foreach (var file in new[] { "summary.md", "junit.xml", "index.html" }) Assert.True(
            File.Exists(Path.Combine(dir, file)), file);
        Reports.ValidateJUnit(Path.Combine(dir, "junit.xml"));
        await Browser.EnsureInstalledAsync();
        var (dom, log) = await Browser.RunAsync("--dump-dom", new Uri(Path.Combine(dir, "index.html")).AbsoluteUri);
        Assert.Contains("UploadConformance", dom);
        Assert.DoesNotContain("Uncaught", log);
    }
}

public class GarbageAnswerTests() : HostileServerTests(Hostility.Garbage);

public class HugeAnswerTests() : HostileServerTests(Hostility.Huge);

public class ResettingServerTests() : HostileServerTests(Hostility.Resetting);

public class DribblingServerTests() : HostileServerTests(Hostility.Dribbling);
