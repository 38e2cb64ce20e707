using System.Net.Sockets;
using System.Text.Json;
using UploadConformance.Targets;

using UploadConformance.Text;

namespace UploadConformance.Verification;

/// <summary>What can be asked of the target beside the upload itself: a health URL, and for the
/// reference server (and servers that copy it) the <c>/stats</c> counters.</summary>
public sealed class TargetProbe(HttpClient http, TargetProfile profile, Wire.TlsOptions? tls = null)
{
    public Uri UploadUrl => profile.Url;

    /// <summary>Null when the target answers at all (any HTTP status); else the one-line reason.</summary>
    public async Task<string?> UnreachableReasonAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            using var response = await http.GetAsync(profile.HealthUrl, timeout.Token).ConfigureAwait(false);
            return null;
        }
        catch (HttpRequestException e) when (
            e.InnerException is System.Security.Authentication.AuthenticationException auth)
        {
            return $"TLS handshake failed: {tls?.LastRefusal ?? auth.Message.ReplaceLineEndings(" ")}";
        }
        catch (HttpRequestException e)
        {
            if (e.InnerException is SocketException socket) return socket.Message;
            var reason = Chain(e);
            // A server that wants a client certificate and gets none ends the connection right after
            // the handshake (TLS 1.3 sends its alert then), which reads as a reset, not a TLS error.
            if (profile.HealthUrl.Scheme == Uri.UriSchemeHttps && tls?.ClientCertificateSubject is null
                && e.InnerException is IOException)
                reason += "; if the server requires a client certificate (mutual TLS), send one with --cert <pem> "
                    + "--key <pem>";
            return reason;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return "no answer within 10 s";
        }
    }

    /// <summary>Sends one plain, well-formed upload (a small file under the profile's field) and says
    /// why the run would be pointless if it is: a 404 or 405 (the URL is not an upload endpoint), or an
    /// HTTP/1.1 request refused by a server that speaks only HTTP/2 (h2c). Null when it looks like an
    /// upload endpoint, whatever else it answered.</summary>
    public async Task<string?> NotAnUploadEndpointAsync(Wire.Uploader uploader, CancellationToken cancellationToken)
    {
        var request = new Requests.UploadRequest
        {
            Url = profile.Url,
            Name = profile.Field,
            File = new Requests.UploadFile(new Payloads.BytesPayload(ProbeBytes, "probe"), "uc-probe.jpg",
            "image/jpeg"),
            Header = profile.Headers,
            TimeoutMs = 10_000,
        };
        var outcome =
            await uploader.SendAsync(Wire.RequestPlan.For(request, Requests.FormDataEncoding.JsString), null,
            cancellationToken).ConfigureAwait(false);
        if (!outcome.Answered) return null;
        var said = outcome.Data ?? "";
        if (outcome.StatusCode is 404 or 405)
            return $"a plain upload to {profile.Url} was answered {outcome.StatusCode}: the URL does not look like "
                + $"an upload endpoint (check its path)";
        if (outcome.StatusCode is 400 or 426 or 505 && (tls?.Http ?? System.Net.HttpVersion.Version11).Major == 1
            && said.Contains("HTTP/2", StringComparison.OrdinalIgnoreCase))
            return $"{profile.Url} refused HTTP/1.1 ({outcome.StatusCode}: {UntrustedText.Excerpt(said, 80)}); it "
                + $"seems to speak only HTTP/2: try --http 2";
        return null;
    }

    /// <summary>A small JPEG-looking file for the probe upload.</summary>
    private static readonly byte[] ProbeBytes = [0xFF, 0xD8, 0xFF, 0xE0, .. "uc probe"u8, 0xFF, 0xD9];

    /// <summary>The messages of an exception and its causes, one line, without repeats.</summary>
    private static string Chain(Exception e)
    {
        var parts = new List<string>();
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            var text = x.Message.ReplaceLineEndings(" ").Trim().TrimEnd('.');
            if (text.Length > 0 && !parts.Contains(text)) parts.Add(text);
        }
        return string.Join(": ", parts);
    }

    public async Task<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            using var response = await http.GetAsync(profile.HealthUrl, timeout.Token).ConfigureAwait(false);
            return (int)response.StatusCode < 500;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException
            && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Polls the health URL until it answers (true) or <paramref name="bound"/> passes (false).</summary>
    public async Task<bool> WaitHealthyAsync(TimeSpan bound, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < bound)
        {
            if (await IsHealthyAsync(cancellationToken).ConfigureAwait(false)) return true;
            // A supervisor restarts the server when it restarts it; asking every 200 ms is all a client can do.
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
        }
        return false;
    }

    /// <summary>The target's counters, or null when it publishes none.</summary>
    public async Task<StatsSnapshot?> StatsAsync(CancellationToken cancellationToken)
    {
        if (profile.StatsUrl is not { } url) return null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            using var response = await http.GetAsync(url, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) return null;
            using var document =
                await JsonDocument.ParseAsync(
                await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false),
                cancellationToken: timeout.Token).ConfigureAwait(false);
            // A server answering 200 to any path is not publishing counters; ours has these two.
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("filesStored", out _)
                || !root.TryGetProperty("partialFilesOnDisk", out _)) return null;
            return root.Deserialize<StatsSnapshot>(JsonSerializerOptions.Web);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or NotSupportedException
            || e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }
}

public sealed record StatsSnapshot(long FilesStored, long BytesStored, long PartialUploadsDiscarded,
    long UploadsInFlight, long PartialFilesOnDisk, long Requests);
