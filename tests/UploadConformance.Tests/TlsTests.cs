using System.Net;
using UploadConformance.Payloads;
using UploadConformance.ReferenceServer;
using UploadConformance.Results;
using UploadConformance.Suites.Catalog;
using UploadConformance.Targets;
using UploadConformance.Verification;
using UploadConformance.Wire;
using Server = UploadConformance.ReferenceServer.ReferenceServer;

namespace UploadConformance.Tests;

/// <summary>The reference server over HTTPS with the certificate it generates at start.</summary>
public sealed class HttpsServerFixture : IAsyncLifetime
{
    public Server Server { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Server = await Server.StartAsync(
        new ReferenceServerOptions { Https = true, FileField = "*", MaxFileBytes = 32L << 20 });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

public class TlsTests(HttpsServerFixture https) : IClassFixture<HttpsServerFixture>
{
    private static string TempDir() => Path.Combine(Path.GetTempPath(), "uc-tls-" + Guid.NewGuid().ToString("N"));

    private async Task<(int Code, string Out, string Err)> Upload(params string[] extra)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await Cli.Cli.RunAsync(
            ["upload", "--size", "20KiB", "--target", https.Server.UploadUrl.ToString(), .. extra], stdout, stderr,
            CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task An_untrusted_certificate_is_one_line_naming_host_and_reason_with_exit_code_3()
    {
        Assert.StartsWith("https://127.0.0.1:", https.Server.UploadUrl.ToString());
        var (code, output, err) = await Upload("--out", TempDir());
        Assert.Equal(3, code);
        Assert.Contains("TLS handshake failed: the certificate of 127.0.0.1 is not trusted (unknown issuer)", err);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.DoesNotContain("   at ", err + output);
    }

    [Fact]
    public async Task The_generated_certificate_is_accepted_with_ca_and_insecure_says_so_loudly()
    {
        var trusted = await Upload("--ca", https.Server.CertificatePath!, "--out", TempDir());
        Assert.True(trusted.Code == 0, trusted.Out + trusted.Err);
        Assert.DoesNotContain("WARNING", trusted.Out);

        var dir = TempDir();
        var insecure = await Upload("--insecure", "--out", dir);
        Assert.True(insecure.Code == 0, insecure.Out + insecure.Err);
        Assert.Contains("WARNING: --insecure: TLS certificates are NOT checked", insecure.Out);
        Assert.True(ResultsFile.Read(dir).Run.Tls?.Insecure);
        Assert.Contains("NOT checked", await File.ReadAllTextAsync(Path.Combine(dir, "index.html")));
        Assert.Contains("NOT checked", await File.ReadAllTextAsync(Path.Combine(dir, "summary.md")));
        Assert.Contains("INSECURE: certificates not checked",
            await File.ReadAllTextAsync(Path.Combine(dir, "junit.xml")));
    }

    [Theory]
    [InlineData("1.1")]
    [InlineData("2")]
    public async Task A_load_run_over_HTTPS_makes_one_handshake_per_connection_and_times_it_apart(string http)
    {
        var dir = TempDir();
        var scenario = dir + ".yaml";
        await File.WriteAllTextAsync(scenario, """
            mix:
              - { name: small, bytes: 30000 }
            load:
              - iterationsForConstant: { copies: 4, iterations: 60 }
            """);
        var stdout = new StringWriter();
        var code = await Cli.Cli.RunAsync(
            ["load", "--scenario", scenario, "--target", https.Server.UploadUrl.ToString(), "--ca",
            https.Server.CertificatePath!,
            "--http", http, "--out", dir], stdout, new StringWriter(), CancellationToken.None);
        Assert.True(code == 0, stdout.ToString());
        var load = ResultsFile.Read(dir).Load!;
        Assert.Equal(60, load.All.Ok);
        var counts =
            $"{load.Connections} connections, {load.TlsHandshakes} full handshakes for {load.All.Requests} requests";
        if (http == "1.1")
        {
            // The lean client opens a connection only when every open one is busy: four copies, four at most.
            Assert.Equal(60, load.Clients!.Lean);
            Assert.True(load.Connections is >= 1 and <= 4, counts);
        }
        else
        {
            // HTTP/2 multiplexes the four copies over one connection.
            Assert.Equal(60, load.Clients!.HttpClient);
            Assert.True(load.Connections == 1, counts);
        }
        // Reuse: a full handshake per connection at most (fewer when TLS resumes), never per request.
        Assert.True(load.TlsHandshakes >= 1 && load.TlsHandshakes <= load.Connections, counts);
        // Handshake time is measured apart from the uploads: present, and no longer than the slowest request.
        Assert.NotNull(load.TlsHandshakeMs);
        Assert.NotNull(load.ConnectMs);
        Assert.True(load.TlsHandshakeMs!.P50 > 0 && load.TlsHandshakeMs.Max <= load.All.Latency.Max,
            $"handshake {load.TlsHandshakeMs.Max} ms, slowest request {load.All.Latency.Max} ms");
    }

    [Fact]
    public async Task A_CA_file_that_is_not_a_certificate_is_a_usage_error()
    {
        var pem = Path.GetTempFileName();
        await File.WriteAllTextAsync(pem, "not a certificate");
        var (code, _, err) = await Upload("--ca", pem);
        Assert.Equal(2, code);
        Assert.Contains($"--ca {pem}", err);
    }

    [Fact]
    public async Task The_wx_and_wire_suites_give_the_same_verdicts_over_HTTP_1_1_and_HTTP_2()
    {
        var profile = TargetProfile.Reference(https.Server.UploadUrl, anyField: true, maxFileBytes: 32L << 20);
        async Task<IReadOnlyList<CaseResult>> Run(Version version)
        {
            var tls = new TlsOptions { CaFile = https.Server.CertificatePath, Http = version }.Load();
            using var http = new HttpClient(Uploader.CreateHandler(tls: tls));
            using var uploader = new Uploader(tls);
            var runner = new CaseRunner(uploader, http, profile);
            var cases =
                ConformanceCatalog.Select(new CatalogContext(profile, 1, ImageFactory.Default()), "wx,wire", null);
            var results = new List<CaseResult>();
            foreach (var c in cases) results.Add(await runner.RunAsync(c, CancellationToken.None));
            return results;
        }
        var h1 = await Run(HttpVersion.Version11);
        var h2 = await Run(HttpVersion.Version20);
        Assert.Equal(h1.Select(r => $"{r.Id}={r.Verdict}"), h2.Select(r => $"{r.Id}={r.Verdict}"));
        Assert.All(h2, r => Assert.True(r.Verdict is Verdict.Pass or Verdict.Informational, $"{r.Id}: {r.Reason}"));
        // Planned requests really went over HTTP/2; raw-socket cases speak HTTP/1.1 over TLS by design.
        Assert.Contains(h2, r => r.Id == "wx.payload.original" && r.Outcome.Protocol == "HTTP/2.0");
        Assert.Contains(h1, r => r.Id == "wx.payload.original" && r.Outcome.Protocol == "HTTP/1.1");
        Assert.Contains(h2, r => r.Suite == "wire" && r.Outcome.Protocol == "HTTP/1.1");
    }

    [Fact]
    public async Task Mutual_TLS_without_a_client_certificate_says_so_and_with_one_uploads()
    {
        var dir = TempDir();
        Directory.CreateDirectory(dir);
        var (caPem, certPem, keyPem) = ClientCertificates.Write(dir);
        await using var server =
            await Server.StartAsync(new ReferenceServerOptions { Https = true, ClientCaFile = caPem });
        async Task<(int Code, string Out, string Err)> Run(params string[] extra)
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            var code = await Cli.Cli.RunAsync(
                ["upload", "--size", "20KiB", "--target", server.UploadUrl.ToString(), "--ca", server.CertificatePath!,
                "--out", TempDir(), .. extra],
                stdout, stderr, CancellationToken.None);
            return (code, stdout.ToString(), stderr.ToString());
        }

        var without = await Run();
        Assert.Equal(3, without.Code);
        Assert.Single(without.Err.TrimEnd().Split('\n'));
        Assert.Contains("send one with --cert <pem> --key <pem>", without.Err);

        var with = await Run("--cert", certPem, "--key", keyPem);
        Assert.True(with.Code == 0, with.Out + with.Err);

        var missingKey = await Run("--key", keyPem);
        Assert.Equal(2, missingKey.Code);
        Assert.Contains("--key needs --cert", missingKey.Err);
    }

    [Fact]
    public async Task Cleartext_HTTP_2_with_prior_knowledge_runs_the_wx_suite_over_HTTP_2()
    {
        await using var server = await Server.StartAsync(new ReferenceServerOptions { H2c = true });
        var dir = TempDir();
        var stdout = new StringWriter();
        var code = await Cli.Cli.RunAsync(["conform", "--suite", "wx", "--target", server.UploadUrl.ToString(),
            "--http", "2", "--out", dir], stdout, new StringWriter(), CancellationToken.None);
        Assert.True(code == 0, stdout.ToString());
        var cases = ResultsFile.Read(dir).Cases;
        Assert.NotEmpty(cases);
        Assert.All(cases, c => Assert.Equal("HTTP/2.0", c.Outcome.Protocol));
    }

    [Theory]
    [InlineData("name", "the certificate of 127.0.0.1 is for another name (CN=staging.example.com)")]
    [InlineData("expired", "(expired or not yet valid)")]
    public async Task A_certificate_for_another_name_or_expired_is_one_line_saying_so_with_exit_code_3(string fault,
        string expected)
    {
        using var key =
            System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(
            fault == "name" ? "CN=staging.example.com" : "CN=127.0.0.1", key,
            System.Security.Cryptography.HashAlgorithmName.SHA256);
        var names = new System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder();
        if (fault == "name") names.AddDnsName("staging.example.com");
        else names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        var (from, to) = fault == "expired"
            ? (DateTimeOffset.UtcNow.AddDays(-10), DateTimeOffset.UtcNow.AddDays(-1))
            : (DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        using var ephemeral = request.CreateSelfSigned(from, to);
        using var certificate =
            System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(
            ephemeral.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx), null);
        var dir = TempDir();
        Directory.CreateDirectory(dir);
        var pem = Path.Combine(dir, "server.pem");
        await File.WriteAllTextAsync(pem, certificate.ExportCertificatePem());

        // Only the handshake matters: a TLS listener that presents the certificate and nothing more.
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var stop = new CancellationTokenSource();
        var serving = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var client = await listener.AcceptTcpClientAsync(stop.Token);
                    await using var ssl = new System.Net.Security.SslStream(client.GetStream());
                    await ssl.AuthenticateAsServerAsync(certificate);
                }
                catch (Exception e) when (e is OperationCanceledException or IOException
                    or System.Security.Authentication.AuthenticationException) { }
            }
        });
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await Cli.Cli.RunAsync(["upload", "--size", "1KiB", "--target", $"https://127.0.0.1:{port}/image",
            "--ca", pem, "--out", TempDir()], stdout, stderr, CancellationToken.None);
        stop.Cancel();
        listener.Stop();
        await serving;

        Assert.Equal(3, code);
        var err = stderr.ToString();
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.Contains("TLS handshake failed: ", err);
        Assert.Contains(expected, err);
    }
}

/// <summary>A test CA and a client certificate it issued, as PEM files, for mutual TLS.</summary>
internal static class ClientCertificates
{
    public static (string Ca, string Cert, string Key) Write(string dir)
    {
        using var caKey =
            System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var caRequest =
            new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=UploadConformance test client CA",
            caKey, System.Security.Cryptography.HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(
            new System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509KeyUsageExtension(
            System.Security.Cryptography.X509Certificates.X509KeyUsageFlags.KeyCertSign, true));
        // One clock reading for both: a second boundary between two readings would make the client's
        // certificate outlive its issuer's, which CertificateRequest refuses.
        var now = DateTimeOffset.UtcNow;
        using var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));

        using var clientKey =
            System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request =
            new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=uploader", clientKey,
            System.Security.Cryptography.HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(
            new System.Security.Cryptography.X509Certificates.X509EnhancedKeyUsageExtension(
            [new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.2")], false));
        using var client = request.Create(ca, now.AddMinutes(-4), now.AddDays(1).AddMinutes(-1), [1, 2, 3, 4]);

        var paths =
            (Path.Combine(dir, "client-ca.pem"), Path.Combine(dir, "client.pem"), Path.Combine(dir, "client.key"));
        File.WriteAllText(paths.Item1, ca.ExportCertificatePem());
        File.WriteAllText(paths.Item2, client.ExportCertificatePem());
        File.WriteAllText(paths.Item3, clientKey.ExportPkcs8PrivateKeyPem());
        return paths;
    }
}
