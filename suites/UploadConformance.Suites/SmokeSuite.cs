using UploadConformance.Payloads;
using UploadConformance.Requests;
using UploadConformance.Suites.Catalog;
using UploadConformance.Verification;
using UploadConformance.Wire;

namespace UploadConformance.Suites;

/// <summary>The default run: a representative handful of what mini-programs really send, each
/// verified end to end. Every platform profile, formData encoding and boundary style appears once.
/// <c>conform --suite smoke</c> runs it too; the catalog's other suites go deeper.</summary>
public static class SmokeSuite
{
    public const string Name = "smoke";

    public static IEnumerable<UploadCase> Build(CatalogContext c)
    {
        var cases = new CaseList(Name);
        // Every upload here is what a real client sends as it is: refusing one within the limits fails.
        var stored = Expectation.OrdinaryUpload;
        var seed = FormDataFaker.SeedExample();
        PlatformProfile wx = PlatformProfile.WeChat, legacy = PlatformProfile.WeChatLegacy, alipay =
            PlatformProfile.Alipay,
            uniapp = PlatformProfile.UniAppH5, taro = PlatformProfile.TaroH5;

        cases.Add("wechat.compressed",
            "compressed JPEG from chooseImage with the seed article's nested formData, JS String() coercion",
            c.Plan(c.Image(ImageSpec.Compressed), seed), stored);
        cases.Add("wechat.original.json",
            "original 4032×3024 JPEG from an Android phone, Chinese profile formData as JSON, dashes+digits boundary",
            c.Plan(c.Image(ImageSpec.Original), c.Faker.ChineseProfile(), encoding: FormDataEncoding.Json,
                wire: new WireOptions { BoundaryStyle = BoundaryStyle.DashesDigits }, android: true), stored);
        cases.Add("wechat.chinese-names.brackets",
            "Chinese field names and a raw UTF-8 Chinese filename, nested formData in bracket form",
            c.Plan(c.Image(ImageSpec.CompressedAndroid) with { FileName = c.Faker.ChineseFileName("jpg") },
            c.Faker.ChineseFieldNames(),
                encoding: FormDataEncoding.Brackets, android: true), stored);
        cases.Add("wechat.screenshot.dots",
            "PNG screenshot sent file-first with a UUID boundary, nested formData in dot form",
            c.Plan(c.Image(ImageSpec.Screenshot), c.Faker.EnglishOrder(), encoding: FormDataEncoding.Dots,
                wire: new WireOptions { BoundaryStyle = BoundaryStyle.Uuid, PartOrder = PartOrder.FileFirst }), stored);
        cases.Add("wechat.long-screenshot",
            "a long PNG screenshot of 1152×41586 (iOS keeps these near 20 MB even when compressed is asked)",
            c.Plan(c.Image(ImageSpec.LongScreenshot), seed), stored);
        cases.Add("wechat.legacy-name.chunked",
            "96-character legacy temp-file name, body sent chunked with no Content-Length",
            c.Plan(c.Image(ImageSpec.Compressed, legacy), seed, platform: legacy,
            wire: new WireOptions { Framing = Framing.Chunked }), stored);
        cases.Add("alipay.file-type", "Alipay my.uploadFile: the runtime adds fileType=image; English order formData",
            c.Plan(c.Image(ImageSpec.Compressed, alipay), c.Faker.EnglishOrder(), platform: alipay), stored);
        cases.Add("uniapp-h5.several-files", "uni-app H5 sends three images in one request under one field",
            c.Plan(c.Image(ImageSpec.Compressed, uniapp), c.Faker.ChineseProfile(), platform: uniapp,
                extraFiles: [c.Image(ImageSpec.CompressedAndroid, uniapp), c.Image(ImageSpec.Screenshot, uniapp)]),
                stored);
        cases.Add("taro-h5.no-extension", "Taro H5's extensionless file-<ms> name on JPEG bytes",
            c.Plan(c.Image(ImageSpec.CompressedAndroid, taro), seed, platform: taro), stored);
        cases.Add("payload.one-byte", "a one-byte file sent as application/octet-stream",
            c.Plan(CatalogContext.FromBytes([0x42], "one.bin", "application/octet-stream", "1 byte"),
            new FormValue.Object([]), platform: wx), stored);
        cases.Add("slow-link", "compressed Android JPEG over a 256 KiB/s link, inside the 60 s timeout",
            c.Plan(c.Image(ImageSpec.CompressedAndroid), seed,
            wire: new WireOptions { RateCapBytesPerSecond = 256 * 1024 }, android: true), stored);
        cases.Add("abort.half",
            "UploadTask.abort() halfway through an original JPEG: server stays healthy and keeps nothing",
            c.Plan(c.Image(ImageSpec.Original), seed, wire: new WireOptions { AbortAt = AbortPoint.AtFraction(0.5) }),
            Expectation.Aborted);
        cases.Add("timeout",
            "a 400 ms client timeout on a 20 KiB/s link: wx reports fail timeout, server keeps nothing",
            c.Plan(c.Image(ImageSpec.Compressed), seed, wire: new WireOptions { RateCapBytesPerSecond = 20 * 1024 },
            timeoutMs: 400),
            Expectation.TimedOut);
        return cases;
    }
}
