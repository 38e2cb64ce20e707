namespace UploadConformance.Wire;

/// <summary>WeChat's boundary format is undocumented, so runs rotate through the forms clients use.</summary>
public enum BoundaryStyle
{
    /// <summary><c>----WebKitFormBoundary</c> + 16 alphanumerics (Chromium, Safari, WeChat's WebView).</summary>
    WebKit,
    /// <summary>26 dashes + 24 digits (node form-data, many native HTTP stacks).</summary>
    DashesDigits,
    /// <summary>A UUID (OkHttp, Alamofire).</summary>
    Uuid,
    /// <summary>Whatever the caller supplies, verbatim.</summary>
    Custom,
}

public static class Boundary
{
    private const string Alphanumerics = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    public static string Create(BoundaryStyle style, Random random, string? custom = null) => style switch
    {
        BoundaryStyle.WebKit => "----WebKitFormBoundary" + Draw(random, 16, Alphanumerics),
        BoundaryStyle.DashesDigits => new string('-', 26) + Draw(random, 24, "0123456789"),
        BoundaryStyle.Uuid => NewUuid(random),
        BoundaryStyle.Custom => custom ?? throw new ArgumentException("a custom boundary needs its text"),
        _ => throw new ArgumentOutOfRangeException(nameof(style), style, null),
    };

    private static string Draw(Random random, int length, string alphabet) =>
        string.Create(length, (random, alphabet), (span, s) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = s.alphabet[s.random.Next(s.alphabet.Length)];
        });

    private static string NewUuid(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40); // version 4
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes).ToString("D");
    }
}
