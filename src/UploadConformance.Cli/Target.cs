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

    /// <summary>The embedded server <c>conform</c> (and the catalog tests) start: any field name, files
    /// up to 32 MiB. results.json records the profile this gives (<see cref="ProfileOf"/>).</summary>
    public static ReferenceServerOptions ConformServer => new() { FileField = "*", MaxFileBytes = 32L << 20 };

    /// <summary>A URL for building cases before any server runs (to check a selection).</summary>
    public static Uri Placeholder { get; } = new("http://127.0.0.1/image");

    /// <summary>What an embedded reference server started with <paramref name="options"/> declares.</summary>
    public static TargetProfile ProfileOf(ReferenceServerOptions options, Uri url) =>
        TargetProfile.Reference(url, options.FileField == "*",
        options.MaxFileBytes) with { Field = options.FileField == "*" ? "images" : options.FileField };

    /// <summary>The TLS options every client of the run uses (the embedded server's own certificate trusted when it
    /// serves HTTPS).</summary>
    public TlsOptions Tls { get; }

    public TargetProfile Profile { get; }
    public Uri UploadUrl => Profile.Url;
    public bool Embedded => _server is not null;
    public Server? EmbeddedServer => _server;

    /// <summary>The upload URL, and what it is when it is ours.</summary>
    public string Describe() => $"{UploadUrl}{(Embedded ? " (embedded reference server)" : "")}";

    /// <param name="probeUpload">Send one plain upload first, to stop on a URL that takes none; a split
    /// run's generators do not (n of them would send n uploads the run does not count).</param>
    public static async Task<Target> ResolveAsync(Uri? url, string? profilePath, ReferenceServerOptions embedded,
        TlsOptions tls, CancellationToken cancellationToken, bool probeUpload = true)
    {
        Target target;
        if (url is null && profilePath is null)
        {
            var server = await Server.StartAsync(embedded, cancellationToken);
            var trusted = server.CertificatePath is { } pem && !tls.Insecure ? (tls with { CaFile = pem }).Load() : tls;
            target = new Target(ProfileOf(embedded, server.UploadUrl), server, trusted);
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
        await target.CheckAsync(probeUpload && !target.Embedded, cancellationToken);
        return target;
    }

    /// <summary>A target described by a profile already parsed (a worker's, from its coordinator), checked
    /// for reachability only.</summary>
    public static async Task<Target> ForProfileAsync(TargetProfile profile, TlsOptions tls,
        CancellationToken cancellationToken)
    {
        var target = new Target(profile, null, tls);
        await target.CheckAsync(probeUpload: false, cancellationToken);
        return target;
    }

    /// <summary>Stops before the run on a target that does not answer, or (with
    /// <paramref name="probeUpload"/>) on a URL that takes no uploads.</summary>
    private async Task CheckAsync(bool probeUpload, CancellationToken cancellationToken)
    {
        using var http = Uploader.CreateHttpClient(Tls, TimeSpan.FromSeconds(100));
        var probe = new TargetProbe(http, Profile, Tls);
        if (await probe.UnreachableReasonAsync(cancellationToken) is { } why)
        {
            await DisposeAsync();
            throw new TargetUnreachableException($"target {UploadUrl} is unreachable: {why}");
        }
        if (!probeUpload) return;
        // A wrong path would otherwise read as a hundred failures of a broken server.
        using var uploader = new Uploader(Tls);
        if (await probe.NotAnUploadEndpointAsync(uploader, cancellationToken) is { } problem)
        {
            await DisposeAsync();
            throw new UsageException(problem);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}
