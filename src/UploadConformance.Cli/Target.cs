using UploadConformance.ReferenceServer;
using UploadConformance.Targets;
using UploadConformance.Verification;
using UploadConformance.Wire;
using Server = UploadConformance.ReferenceServer.ReferenceServer;

namespace UploadConformance.Cli;

public sealed class TargetUnreachableException(string message) : Exception(message);

/// <summary>The server a verb talks to and its profile: the user's <c>--target</c> and
/// <c>--profile</c>, or the embedded reference server started on a free loopback port and stopped
/// when the verb ends.</summary>
public sealed class Target : IAsyncDisposable
{
    private readonly Server? _server;

    private Target(TargetProfile profile, Server? server, TlsOptions tls)
    {
        Profile = profile;
        _server = server;
        Tls = tls;
    }

    /// <summary>The TLS options every client of the run uses (the embedded server's own certificate trusted when it serves HTTPS).</summary>
    public TlsOptions Tls { get; }

    public TargetProfile Profile { get; }
    public Uri UploadUrl => Profile.Url;
    public bool Embedded => _server is not null;
    public Server? EmbeddedServer => _server;

    public static async Task<Target> ResolveAsync(Uri? url, string? profilePath, ReferenceServerOptions embedded, TlsOptions tls, CancellationToken cancellationToken)
    {
        Target target;
        if (url is null && profilePath is null)
        {
            var server = await Server.StartAsync(embedded, cancellationToken);
            var trusted = server.CertificatePath is { } pem && !tls.Insecure ? (tls with { CaFile = pem }).Load() : tls;
            target = new Target(TargetProfile.Reference(server.UploadUrl, embedded.FileField == "*", embedded.MaxFileBytes), server, trusted);
        }
        else
        {
            TargetProfile profile;
            try
            {
                profile = profilePath is null ? TargetProfile.Reference(url!) : ProfileLoader.Load(profilePath, url);
            }
            catch (ProfileException e)
            {
                throw new UsageException(e.Message);
            }
            target = new Target(profile, null, tls);
        }
        using var http = Uploader.CreateHttpClient(target.Tls, TimeSpan.FromSeconds(100));
        if (await new TargetProbe(http, target.Profile, target.Tls).UnreachableReasonAsync(cancellationToken) is { } why)
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
