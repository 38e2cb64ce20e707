using System.Globalization;

namespace UploadConformance.Requests;

/// <summary>What one mini-program runtime really puts on the wire around the developer's options:
/// headers it adds, how it names the temp file, how it serialises non-string formData.</summary>
public sealed record PlatformProfile
{
    public required string Id { get; init; }
    public required string DisplayName { get; init; }
    public required FormDataEncoding Encoding { get; init; }
    public int DefaultTimeoutMs { get; init; } = 60_000;
    public required Func<PlatformContext, IReadOnlyList<KeyValuePair<string, string>>> Headers { get; init; }
    public required Func<PlatformContext, string, string> TempFileName { get; init; }
    /// <summary>Fields the runtime itself adds to formData (Alipay's <c>fileType</c>).</summary>
    public IReadOnlyList<KeyValuePair<string, FormValue>> AddedFields { get; init; } = [];
    /// <summary>Whether the runtime can send several files in one request (uni-app's <c>files</c>).</summary>
    public bool SendsSeveralFiles { get; init; }

    public static readonly PlatformProfile WeChat = new()
    {
        Id = "wechat",
        DisplayName = "WeChat wx.uploadFile",
        Encoding = FormDataEncoding.JsString,
        Headers = c =>
        [
            new("Referer", $"https://servicewechat.com/{c.AppId}/{c.AppVersion}/page-frame.html"),
            new("User-Agent", c.Android
                ? "Mozilla/5.0 (Linux; Android 10; Pixel 4 Build/QD1A.190821.007; wv) AppleWebKit/537.36 (KHTML, "
                    + "like Gecko) Version/4.0 Chrome/86.0.4240.99 XWEB/4207 MMWEBSDK/20220303 Mobile Safari/537.36 "
                    + "MMWEBID/3585 MicroMessenger/8.0.21.2120(0x28001557) Process/appbrand0 WeChat/arm64 Weixin "
                    + "NetType/WIFI Language/zh_CN ABI/arm64 MiniProgramEnv/android"
                : "Mozilla/5.0 (iPhone; CPU iPhone OS 16_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                    + "Mobile/15E148 MicroMessenger/8.0.73(0x18004939) NetType/WIFI Language/zh_CN"),
        ],
        TempFileName = (c, ext) => $"tmp_{c.Hex(32)}.{ext}",
    };

    /// <summary>WeChat's older temp-file form: 96 characters with its extension, which trips 100-character name limits
    /// once prefixed.</summary>
    public static readonly PlatformProfile WeChatLegacy = WeChat with
    {
        Id = "wechat-legacy",
        DisplayName = "WeChat (legacy temp names)",
        TempFileName = (c, ext) => $"{c.AppId}.o6zAJs{c.Base64Url(22)}.{c.Base64Url(13)}{c.Hex(31)}.{ext}",
    };

    public static readonly PlatformProfile Alipay = new()
    {
        Id = "alipay",
        DisplayName = "Alipay my.uploadFile",
        Encoding = FormDataEncoding.JsString,
        Headers = c =>
        [
            new("Referer", $"https://{c.AppId}.hybrid.alipay-eco.com/{c.AppId}/{c.AppVersion}/index.html"),
            new("User-Agent",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 16_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            + "Mobile/15E148 AliApp(AP/10.5.36.6000) AlipayClient/10.5.36.6000 Language/zh-Hans"),
        ],
        TempFileName = (c, ext) => $"{c.Hex(32)}.{ext}",
        AddedFields = [new("fileType", "image")],
    };

    public static readonly PlatformProfile UniAppH5 = new()
    {
        Id = "uniapp-h5",
        DisplayName = "uni-app H5 (XHR FormData)",
        Encoding = FormDataEncoding.JsString,
        Headers = _ =>
        [
            new("User-Agent",
            "Mozilla/5.0 (Linux; Android 13; SM-S9080) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 "
            + "Mobile Safari/537.36"),
        ],
        TempFileName = (c, _) => $"{c.EpochMs}.jpeg",
        SendsSeveralFiles = true,
    };

    public static readonly PlatformProfile TaroH5 = new()
    {
        Id = "taro-h5",
        DisplayName = "Taro H5",
        Encoding = FormDataEncoding.JsString,
        Headers = _ =>
        [
            new("User-Agent",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            + "Version/17.1 Mobile/15E148 Safari/604.1"),
        ],
        // Taro falls back to file-<ms> with no extension when the blob has no name.
        TempFileName = (c, _) => $"file-{c.EpochMs}",
    };

    public static readonly IReadOnlyList<PlatformProfile> All = [WeChat, WeChatLegacy, Alipay, UniAppH5, TaroH5];

    public static PlatformProfile Find(string id) =>
        All.FirstOrDefault(p => string.Equals(p.Id, id, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unknown platform '{id}' (known: {string.Join(", ", All.Select(p => p.Id))})");
}

/// <summary>The seeded values a platform draws its identifiers from, so a run is reproducible.</summary>
public sealed class PlatformContext(int seed)
{
    private readonly Random _random = new(seed);

    public string AppId { get; } = "wx" + HexOf(new Random(seed ^ 0x5eed), 16);
    public string AppVersion { get; init; } = "0";
    public bool Android { get; init; }
    /// <summary>A fixed clock (2023-11-14) so that time-derived names are reproducible.</summary>
    public long EpochMs => 1_700_000_000_000 + _random.Next(0, 1_000_000);

    public string Hex(int length) => HexOf(_random, length);

    public string Base64Url(int length)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        return string.Create(length, _random, (span, r) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = alphabet[r.Next(alphabet.Length)];
        });
    }

    private static string HexOf(Random random, int length) =>
        string.Create(length, random, (span, r) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = "0123456789abcdef"[r.Next(16)];
        });

    public override string ToString() => AppId.ToString(CultureInfo.InvariantCulture);
}
