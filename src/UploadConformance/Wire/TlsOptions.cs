using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace UploadConformance.Wire;

/// <summary>How the client meets HTTPS targets: normal validation, a staging CA to trust as well
/// (<c>--ca</c>), or none at all (<c>--insecure</c>, said loudly everywhere), and which HTTP version
/// to ask for. Every HttpClient and raw socket of a run uses the same options.</summary>
public sealed record TlsOptions
{
    public static readonly TlsOptions Default = new();

    /// <summary>PEM file of certificates to trust besides the system's.</summary>
    public string? CaFile { get; init; }
    public bool Insecure { get; init; }
    /// <summary>A client certificate (PEM) for servers behind mutual TLS, and its key when it is in another
    /// file.</summary>
    public string? CertFile { get; init; }
    public string? KeyFile { get; init; }
    /// <summary>1.1 or 2 (HTTP/2 over TLS by ALPN, or h2c with prior knowledge on http://).</summary>
    public Version Http { get; init; } = HttpVersion.Version11;

    private X509Certificate2Collection? _trusted;
    private X509Certificate2? _clientCertificate;

    /// <summary>Loads the CA file and the client certificate; a missing or unreadable one is an
    /// <see cref="ArgumentException"/> with a one-line message.</summary>
    public TlsOptions Load()
    {
        var loaded = LoadClientCertificate();
        if (CaFile is null) return loaded;
        try
        {
            var collection = new X509Certificate2Collection();
            collection.ImportFromPemFile(CaFile);
            if (collection.Count == 0) throw new ArgumentException($"--ca {CaFile}: no certificate in it");
            return loaded with { _trusted = collection };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException
            or System.Security.Cryptography.CryptographicException)
        {
            throw new ArgumentException($"--ca {CaFile}: {e.Message.ReplaceLineEndings(" ")}");
        }
    }

    private TlsOptions LoadClientCertificate()
    {
        if (CertFile is null)
        {
            if (KeyFile is not null) throw new ArgumentException(
                "--key needs --cert: the client certificate the key belongs to");
            return this;
        }
        try
        {
            var certificate = X509Certificate2.CreateFromPemFile(CertFile, KeyFile);
            if (!certificate.HasPrivateKey) throw new ArgumentException(
                $"--cert {CertFile}: no private key (give it with --key <pem>)");
            return this with { _clientCertificate = certificate };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException
            or System.Security.Cryptography.CryptographicException)
        {
            throw new ArgumentException(
                $"--cert {CertFile}{(KeyFile is null ? "" : $" --key {KeyFile}")}: "
                + $"{e.Message.ReplaceLineEndings(" ").Trim()}");
        }
    }

    /// <summary>The client certificate's subject; null when none is sent.</summary>
    public string? ClientCertificateSubject => _clientCertificate?.Subject;

    /// <summary>Validates like the platform, then against the extra CA; on refusal, says why in words.</summary>
    public bool Validate(string host, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors,
        out string? why)
    {
        why = null;
        if (Insecure || errors == SslPolicyErrors.None) return true;
        if (certificate is null)
        {
            why = $"{host} sent no certificate";
            return false;
        }
        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            why = $"the certificate of {host} is for another name ({certificate.Subject})";
            return false;
        }
        using var leaf = new X509Certificate2(certificate);
        if (_trusted is { Count: > 0 })
        {
            using var custom = new X509Chain();
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.CustomTrustStore.AddRange(_trusted);
            custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (custom.Build(leaf)) return true;
            why = $"the certificate of {host} is not trusted by --ca {CaFile} ({Status(custom)})";
            return false;
        }
        why = $"the certificate of {host} is not trusted ({(chain is null ? "no chain" : Status(chain))}); trust "
            + $"its CA with --ca <pem>, or skip checks with --insecure";
        return false;
    }

    private static string Status(X509Chain chain)
    {
        var flags = chain.ChainStatus.Select(s => s.Status).ToHashSet();
        if (flags.Contains(X509ChainStatusFlags.NotTimeValid)) return "expired or not yet valid";
        if (flags.Contains(X509ChainStatusFlags.UntrustedRoot)
            || flags.Contains(X509ChainStatusFlags.PartialChain)) return "unknown issuer";
        return flags.Count == 0 ? "no chain" : string.Join(", ", flags);
    }

    /// <summary>The last refusal's reason, per options instance, for turning a handshake failure into one
    /// line.</summary>
    public string? LastRefusal { get; private set; }

    public SslClientAuthenticationOptions ClientOptions(string host, bool http2) => new()
    {
        TargetHost = host,
        ApplicationProtocols = http2 ? [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11]
        : [SslApplicationProtocol.Http11],
        EnabledSslProtocols = SslProtocols.None,
        ClientCertificates = _clientCertificate is null ? null : [_clientCertificate],
        RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
        {
            var ok = Validate(host, certificate, chain, errors, out var why);
            if (!ok) LastRefusal = why;
            return ok;
        },
    };

    public void Apply(SocketsHttpHandler handler)
    {
        handler.SslOptions.RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
        {
            var host = (sender as SslStream)?.TargetHostName ?? "the target";
            var ok = Validate(host, certificate, chain, errors, out var why);
            if (!ok) LastRefusal = why;
            return ok;
        };
        if (_clientCertificate is not null) handler.SslOptions.ClientCertificates = [_clientCertificate];
        handler.SslOptions.ApplicationProtocols = Http == HttpVersion.Version20
            ? [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11]
            : [SslApplicationProtocol.Http11];
    }
}
