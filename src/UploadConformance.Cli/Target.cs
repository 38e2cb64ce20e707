using Server = UploadConformance.ReferenceServer.ReferenceServer;
using UploadConformance.ReferenceServer;
using UploadConformance.Verification;

namespace UploadConformance.Cli;

public sealed class TargetUnreachableException(string message) : Exception(message);

/// <summary>The server a verb talks to: the user's <c>--target</c>, or the embedded reference server
/// started on a free loopback port and stopped when the verb ends.</summary>
public sealed class Target : IAsyncDisposable
{
    private readonly Server? _server;

    private Target(Uri uploadUrl, Server? server)
    {
        UploadUrl = uploadUrl;
        _server = server;
    }

    public Uri UploadUrl { get; }
    public bool Embedded => _server is not null;

    public static async Task<Target> ResolveAsync(Uri? url, string field, long maxFileBytes, HttpClient http, CancellationToken cancellationToken)
    {
        Target target;
        if (url is not null)
        {
            target = new Target(url, null);
        }
        else
        {
            var server = await Server.StartAsync(new ReferenceServerOptions { FileField = field, MaxFileBytes = maxFileBytes }, cancellationToken);
            target = new Target(server.UploadUrl, server);
        }
        if (await new TargetProbe(http, target.UploadUrl).UnreachableReasonAsync(cancellationToken) is { } why)
        {
            await target.DisposeAsync();
            throw new TargetUnreachableException($"target {target.UploadUrl} is unreachable: {why}");
        }
        return target;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}
