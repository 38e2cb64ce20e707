using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace UploadConformance.ReferenceServer;

/// <summary>A self-signed certificate made at start for loopback names, so HTTPS needs no files to
/// manage; clients trust it by its PEM (<c>--ca</c>) or not at all (<c>--insecure</c>).</summary>
public static class GeneratedCertificate
{
    public static X509Certificate2 Create() => CreateWithKey().Certificate;

    /// <summary>The certificate and its private key as PKCS#8 PEM, for servers configured by files (nginx).</summary>
    public static (X509Certificate2 Certificate, string KeyPem) CreateWithKey()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=UploadConformance reference server", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(
            new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, 0,
            critical: true));
        request.CertificateExtensions.Add(
            new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign,
            critical: true));
        request.CertificateExtensions.Add(
            new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var certificate =
            request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        // Round-tripped through PKCS#12 so the private key is one SslStream can use on every platform.
        return (X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null),
            key.ExportPkcs8PrivateKeyPem());
    }
}
