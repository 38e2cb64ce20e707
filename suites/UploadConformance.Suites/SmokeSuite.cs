using UploadConformance.Payloads;
using UploadConformance.Requests;
using UploadConformance.Verification;
using UploadConformance.Wire;

namespace UploadConformance.Suites;

/// <summary>The default run: a representative handful of what mini-programs really send, each
/// verified end to end. Every platform profile, formData encoding and boundary style appears once.</summary>
public static class SmokeSuite
{
    public const string Name = "smoke";

    public static IReadOnlyList<UploadCase> Build(Uri uploadUrl, string fileField, int seed, ImageFactory images)
    {
        var faker = new FormDataFaker(seed);
        var compressed = images.Get(ImageSpec.Compressed, seed);
        var compressedAndroid = images.Get(ImageSpec.CompressedAndroid, seed);
        var original = images.Get(ImageSpec.Original, seed);
        var screenshot = images.Get(ImageSpec.Screenshot, seed);
        var longScreenshot = images.Get(ImageSpec.LongScreenshot, seed);
        var cases = new List<UploadCase>();
        var n = 0;

        UploadCase Case(string id, string description, PlatformProfile platform, UploadFile file, FormValue.Object formData,
            Expectation? expect = null, WireOptions? wire = null, FormDataEncoding? encoding = null,
            bool android = false, IReadOnlyList<UploadFile>? extraFiles = null, int? timeoutMs = null)
        {
            var context = new PlatformContext(seed + n) { Android = android };
            var request = new UploadRequest
            {
                Url = uploadUrl,
                Name = fileField,
                File = file,
                ExtraFiles = extraFiles ?? [],
                Header = platform.Headers(context),
                FormData = new FormValue.Object([.. formData.Members, .. platform.AddedFields]),
                TimeoutMs = timeoutMs ?? platform.DefaultTimeoutMs,
            };
            var plan = RequestPlan.For(request, encoding ?? platform.Encoding, wire, seed + n++, platform.Id);
            return new UploadCase($"{Name}.{id}", Name, description, plan, expect ?? Expectation.StoredExactly);
        }

        UploadFile Temp(PlatformProfile platform, FilePayload payload, string contentType, string extension) =>
            new(payload, platform.TempFileName(new PlatformContext(seed + 100 + n), extension), contentType);

        var wx = PlatformProfile.WeChat;
        cases.Add(Case("wechat.compressed", "compressed JPEG from chooseImage with the seed article's nested formData, JS String() coercion",
            wx, Temp(wx, compressed, "image/jpeg", "jpg"), FormDataFaker.SeedExample()));
        cases.Add(Case("wechat.original.json", "original 4032×3024 JPEG from an Android phone, Chinese profile formData as JSON, dashes+digits boundary",
            wx, Temp(wx, original, "image/jpeg", "jpg"), faker.ChineseProfile(), encoding: FormDataEncoding.Json,
            wire: new WireOptions { BoundaryStyle = BoundaryStyle.DashesDigits }, android: true));
        cases.Add(Case("wechat.chinese-names.brackets", "Chinese field names and a raw UTF-8 Chinese filename, nested formData in bracket form",
            wx, new UploadFile(compressedAndroid, faker.ChineseFileName("jpg"), "image/jpeg"), faker.ChineseFieldNames(),
            encoding: FormDataEncoding.Brackets, android: true));
        cases.Add(Case("wechat.screenshot.dots", "PNG screenshot sent file-first with a UUID boundary, nested formData in dot form",
            wx, Temp(wx, screenshot, "image/png", "png"), faker.EnglishOrder(), encoding: FormDataEncoding.Dots,
            wire: new WireOptions { BoundaryStyle = BoundaryStyle.Uuid, PartOrder = PartOrder.FileFirst }));
        cases.Add(Case("wechat.long-screenshot", "a long PNG screenshot of 1152×41586 (iOS keeps these near 20 MB even when compressed is asked)",
            wx, Temp(wx, longScreenshot, "image/png", "png"), FormDataFaker.SeedExample()));
        cases.Add(Case("wechat.legacy-name.chunked", "96-character legacy temp-file name, body sent chunked with no Content-Length",
            PlatformProfile.WeChatLegacy, Temp(PlatformProfile.WeChatLegacy, compressed, "image/jpeg", "jpg"), FormDataFaker.SeedExample(),
            wire: new WireOptions { Framing = Framing.Chunked }));
        cases.Add(Case("alipay.file-type", "Alipay my.uploadFile: the runtime adds fileType=image; English order formData",
            PlatformProfile.Alipay, Temp(PlatformProfile.Alipay, compressed, "image/jpeg", "jpg"), faker.EnglishOrder()));
        cases.Add(Case("uniapp-h5.several-files", "uni-app H5 sends three images in one request under one field",
            PlatformProfile.UniAppH5, Temp(PlatformProfile.UniAppH5, compressed, "image/jpeg", "jpeg"), faker.ChineseProfile(),
            extraFiles: [Temp(PlatformProfile.UniAppH5, compressedAndroid, "image/jpeg", "jpeg"), Temp(PlatformProfile.UniAppH5, screenshot, "image/png", "jpeg")]));
        cases.Add(Case("taro-h5.no-extension", "Taro H5's extensionless file-<ms> name on JPEG bytes",
            PlatformProfile.TaroH5, Temp(PlatformProfile.TaroH5, compressedAndroid, "image/jpeg", "jpg"), FormDataFaker.SeedExample()));
        cases.Add(Case("payload.one-byte", "a one-byte file sent as application/octet-stream",
            wx, new UploadFile(new BytesPayload([0x42], "1 byte"), "one.bin", "application/octet-stream"), new FormValue.Object([])));
        cases.Add(Case("slow-link", "compressed Android JPEG over a 256 KB/s link, inside the 60 s timeout",
            wx, Temp(wx, compressedAndroid, "image/jpeg", "jpg"), FormDataFaker.SeedExample(),
            wire: new WireOptions { RateCapBytesPerSecond = 256 * 1024 }, android: true));
        cases.Add(Case("abort.half", "UploadTask.abort() halfway through an original JPEG: server stays healthy and keeps nothing",
            wx, Temp(wx, original, "image/jpeg", "jpg"), FormDataFaker.SeedExample(), Expectation.Aborted,
            wire: new WireOptions { AbortAt = AbortPoint.AtFraction(0.5) }));
        cases.Add(Case("timeout", "a 400 ms client timeout on a 20 KB/s link: wx reports fail timeout, server keeps nothing",
            wx, Temp(wx, compressed, "image/jpeg", "jpg"), FormDataFaker.SeedExample(), Expectation.TimedOut,
            wire: new WireOptions { RateCapBytesPerSecond = 20 * 1024 }, timeoutMs: 400));
        return cases;
    }
}
