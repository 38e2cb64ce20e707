using System.Net.Sockets;
using System.Text.Json;
using UploadConformance.Targets;

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
        catch (HttpRequestException e) when (e.InnerException is System.Security.Authentication.AuthenticationException auth)
        {
            return $"TLS handshake failed: {tls?.LastRefusal ?? auth.Message.ReplaceLineEndings(" ")}";
        }
        catch (HttpRequestException e)
        {
            var inner = e.InnerException as SocketException;
            return inner?.Message ?? e.Message.ReplaceLineEndings(" ");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return "no answer within 10 s";
        }
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
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
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
            using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false), cancellationToken: timeout.Token).ConfigureAwait(false);
            // A server answering 200 to any path is not publishing counters; ours has these two.
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("filesStored", out _) || !root.TryGetProperty("partialFilesOnDisk", out _)) return null;
            return root.Deserialize<StatsSnapshot>(JsonSerializerOptions.Web);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or NotSupportedException || e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }
}

public sealed record StatsSnapshot(long FilesStored, long BytesStored, long PartialUploadsDiscarded, long UploadsInFlight, long PartialFilesOnDisk, long Requests);
