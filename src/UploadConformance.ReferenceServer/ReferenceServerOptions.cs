namespace UploadConformance.ReferenceServer;

public sealed record ReferenceServerOptions
{
    public string Host { get; init; } = "127.0.0.1";
    /// <summary>0 picks a free port.</summary>
    public int Port { get; init; }
    public string UploadPath { get; init; } = "/image";
    /// <summary>The field the file must arrive under (wx.uploadFile's <c>name</c>); <c>*</c> takes any.</summary>
    public string FileField { get; init; } = "images";
    public long MaxFileBytes { get; init; } = 64L << 20;
    /// <summary>Defaults to the file limit plus room for the other parts.</summary>
    public long? MaxRequestBytes { get; init; }
    public int MaxParts { get; init; } = 1000;
    public int MaxFieldBytes { get; init; } = 2 << 20;
    public int MaxPartHeaderBytes { get; init; } = 16 * 1024;
    /// <summary>The stored files kept on disk, newest first, at most this many bytes (the newest one always,
    /// whatever its size): a soak stores gigabytes, and a file is fetched back right after it is stored.
    /// Older ones are removed; <c>/stats</c> still counts them.</summary>
    public long KeepBytes { get; init; } = DefaultKeepBytes;

    public const long DefaultKeepBytes = 1L << 30;

    /// <summary>Where uploads are kept; a fresh temp folder, deleted at shutdown, when not set.</summary>
    public string? StorageDirectory { get; init; }
    /// <summary>HTTPS (HTTP/1.1 and HTTP/2 by ALPN) with a certificate generated at start.</summary>
    public bool Https { get; init; }
    /// <summary>With <see cref="Https"/>: require a client certificate issued by the CA in this PEM file (mutual
    /// TLS).</summary>
    public string? ClientCaFile { get; init; }
    /// <summary>Without <see cref="Https"/>: cleartext HTTP/2 with prior knowledge only. Kestrel offers
    /// HTTP/1.1 alone on a plain port that allows both, so h2c needs a port of its own.</summary>
    public bool H2c { get; init; }
    /// <summary>Connections served at once; more wait in the listen queue or are refused. Each upload can
    /// hold a socket and a file: past the process's open-file limit the runtime aborts, so <c>serve</c>
    /// sets this from the limit. Null: no bound.</summary>
    public long? MaxConnections { get; init; }
    /// <summary>How long the server works on a stored upload before it answers, as an image pipeline would
    /// (resizing, a call to object storage): the waiting phase a load run should measure. Zero by default.</summary>
    public TimeSpan ProcessingTime { get; init; }
    /// <summary>Bytes a second the upload endpoint reads a body at, at most, as a server on a slow disk would: the
    /// sending phase a load run should measure. Null: as fast as it comes.</summary>
    public long? ReadRate { get; init; }
    /// <summary>How long a session token from <c>/flow/login</c> is honoured; the app logs in again after.</summary>
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromHours(2);
    /// <summary>How long a signed form from <c>/flow/credential</c> is valid: short, as Aliyun's sample backend
    /// makes it (30 s), since the app uses it at once.</summary>
    public TimeSpan CredentialLifetime { get; init; } = TimeSpan.FromSeconds(15);
    /// <summary>Bugs to exhibit on purpose; none by default.</summary>
    public ServerDefects Defects { get; init; }
    /// <summary>One line per request goes here when set (the <c>serve</c> verb's access log).</summary>
    public TextWriter? AccessLog { get; init; }

    public long EffectiveMaxRequestBytes => MaxRequestBytes ?? MaxFileBytes + (4L << 20);
}
