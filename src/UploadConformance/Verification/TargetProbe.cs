using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace UploadConformance.Verification;

/// <summary>What can be asked of the target beside the upload itself: the reference server (and any
/// server that copies it) has <c>/health</c> and <c>/stats</c>; others may have neither.</summary>
public sealed class TargetProbe(HttpClient http, Uri uploadUrl)
{
    public Uri UploadUrl { get; } = uploadUrl;
    public Uri HealthUrl { get; } = new(uploadUrl, "/health");
    public Uri StatsUrl { get; } = new(uploadUrl, "/stats");

    /// <summary>Null when the target answers at all (any HTTP status); else the one-line reason.</summary>
    public async Task<string?> UnreachableReasonAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            using var response = await http.GetAsync(HealthUrl, timeout.Token).ConfigureAwait(false);
            return null;
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
            using var response = await http.GetAsync(HealthUrl, timeout.Token).ConfigureAwait(false);
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
        try
        {
            using var response = await http.GetAsync(StatsUrl, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) return null;
            return await response.Content.ReadFromJsonAsync<StatsSnapshot>(JsonSerializerOptions.Web, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or NotSupportedException)
        {
            return null;
        }
    }
}

public sealed record StatsSnapshot(long FilesStored, long BytesStored, long PartialUploadsDiscarded, long UploadsInFlight, long PartialFilesOnDisk);
