using UploadConformance.Payloads;
using UploadConformance.Requests;
using UploadConformance.Verification;
using UploadConformance.Wire;
using static UploadConformance.Requests.FormValue;

namespace UploadConformance.Suites.Catalog;

/// <summary>What mini-program clients really send: every field-name, filename, formData, payload,
/// platform and Content-Type form from the research notes, each of which must be stored exactly.</summary>
public static class WxShapesSuite
{
    public const string Name = "wx";

    public static IEnumerable<UploadCase> Build(CatalogContext c)
    {
        var cases = new CaseList(Name);
        // One compressed Android photo is the file of most cases: only what a case is about changes.
        var small = c.Image(ImageSpec.CompressedAndroid);
        FieldNames(cases, c, small);
        Filenames(cases, c, small);
        FormData(cases, c, small);
        Payloads(cases, c, small);
        Platforms(cases, c);
        ContentTypes(cases, c, small);
        Boundaries(cases, c, small);
        return cases;
    }

    // What a real client sends as it is (a photo, a platform's request, formData as apps pass it):
    // within every declared limit it must be stored, and refusing it fails.
    private static readonly Expectation Ordinary = Expectation.OrdinaryUpload;
    private static readonly Expectation Stored = Expectation.StoredExactly;

    /// <summary>The file's field name, as the developer chose it. A server built for one field must refuse
    /// the others cleanly (4xx, never multer's 500 "Unexpected field"); one taking any must store them.</summary>
    private static void FieldNames(CaseList cases, CatalogContext c, UploadFile small)
    {
        Expectation FieldName() => c.Profile.AnyField ? Stored : new Expectation.StoredOrRefused([400, 422]);
        foreach (var (id, name, what) in new[]
        {
            ("file", "file", "the doc example's field name"),
            ("images", "images", "the seed article's field name"),
            ("unicode", "图片", "a Chinese field name, raw UTF-8"),
            ("brackets", "files[]", "a PHP-style array field name"),
            ("space", "my photo", "a field name with a space"),
            ("long", new string('f', 200), "a 200-character field name"),
            ("quote", "pho\"to", "a quote in the field name, sent as %22 (WHATWG)"),
            ("semicolon", "a;b", "a semicolon inside the quoted field name"),
        })
        {
            cases.Add($"name.{id}", $"file under {what}", c.Plan(small, field: name), FieldName());
        }
        cases.Add("name.mismatch", "file under a field the server does not expect: a 4xx naming the field, not a 500",
            c.Plan(small, field: c.Field + "_other"),
            c.Profile.AnyField ? Stored : new Expectation.Refused([400, 422], "a file under an unexpected field"));
    }

    /// <summary>Filenames, as each runtime forms them.</summary>
    private static void Filenames(CaseList cases, CatalogContext c, UploadFile small)
    {
        UploadFile Named(string fileName, string contentType = "image/jpeg") =>
            small with { FileName = fileName, ContentType = contentType };
        cases.Add("filename.tmp-hex", "WeChat's tmp_<32 hex>.jpg temp name",
            c.Plan(c.Image(ImageSpec.CompressedAndroid)), Ordinary);
        cases.Add("filename.legacy-96", "the 96-character legacy wx<appid>.o6zAJs….jpg name",
            c.Plan(c.Image(ImageSpec.CompressedAndroid, PlatformProfile.WeChatLegacy),
            platform: PlatformProfile.WeChatLegacy), Ordinary);
        cases.Add("filename.chinese",
            "a raw UTF-8 Chinese filename must round-trip intact (busboy's latin1 default garbles it)",
            c.Plan(Named("报告-相册封面.jpg")), Stored);
        cases.Add("filename.no-extension", "Taro's extensionless file-<ms> on JPEG bytes",
            c.Plan(Named("file-1700000000000")), Stored);
        // Browsers send a backslash as it is (WHATWG); a parser reading the parameter as an RFC 9110
        // quoted-string takes each backslash as an escape and drops it (Tomcat): a lawful other reading.
        var windowsPath = c.Plan(Named(@"C:\Users\me\Pictures\IMG_0001.jpg"));
        cases.Add("filename.windows-path", "a Windows path as filename: stored, the path never used on disk",
            windowsPath,
            new Expectation.StoredOrRefused([400], FilenameRule.ExactOrBasename, Lawful: new LawfulReading(
                "reads backslashes as quoted-pair escapes (RFC 9110 quoted-string), dropping them",
                new PlannedFiles(windowsPath.Request.Files().Select(f =>
                    (f.Field, f.File with { FileName = f.File.FileName.Replace("\\", "") })).ToList(),
                    windowsPath.Fields))),
            RequestForm.WellFormed, ExtraChecks.ClientPathNotUsed);
        cases.Add("filename.traversal", "../ traversal in the filename: stored under a safe name or refused",
            c.Plan(Named("../../../etc/passwd.jpg")),
            new Expectation.StoredOrRefused([400], FilenameRule.ExactOrBasename),
            RequestForm.WellFormed, ExtraChecks.ClientPathNotUsed);
        cases.Add("filename.quote-whatwg", "a quote in the filename as browsers send it (%22)",
            c.Plan(Named("say \"cheese\".jpg")),
            new Expectation.Stored(FilenameRule.ExactOrDecoded));
        cases.Add("filename.quote-backslash", "a quote in the filename as quoted-string escaping sends it (\\\")",
            c.Plan(Named("say \"cheese\".jpg"), wire: new WireOptions { NameEscaping = NameEscaping.Backslash }),
            new Expectation.Stored(FilenameRule.ExactOrDecoded));
        cases.Add("filename.long-101", "a 101-character filename (past common 100-character columns)",
            c.Plan(Named(new string('n', 97) + ".jpg")), new Expectation.StoredOrRefused([400, 413]));
        cases.Add("filename.emoji", "an emoji in the filename, 4-byte UTF-8", c.Plan(Named("😀生日快乐.jpg")), Stored);
    }

    /// <summary>formData in every encoding and shape.</summary>
    private static void FormData(CaseList cases, CatalogContext c, UploadFile small)
    {
        cases.Add("form.flat", "flat string formData", c.Plan(small, Obj(("id", "test"), ("token", "abc123"))),
            Ordinary);
        foreach (var encoding in Enum.GetValues<FormDataEncoding>())
            cases.Add($"form.nested.{Kebab(encoding)}", $"nested objects and arrays, encoded {encoding}",
                c.Plan(small, c.Faker.ChineseProfile(), encoding: encoding), Ordinary);
        cases.Add("form.many-fields", "25 fields (Tomcat 10.1.42 refused more than 10)",
            c.Plan(small,
            new FormValue.Object(
            Enumerable.Range(1, 25).Select(i => KeyValuePair.Create($"f{i}", (FormValue)$"v{i}")).ToList())), Ordinary);
        cases.Add("form.duplicate-names", "the same field name twice: both values must survive",
            c.Plan(small, Obj(("tag", Arr("a", "b"))), encoding: FormDataEncoding.Brackets), Stored);
        cases.Add("form.empty-values", "empty strings, an empty object and an empty array",
            c.Plan(small, Obj(("empty", ""), ("nothing", new FormValue.Object([])), ("none", Arr()))), Ordinary);
        cases.Add("form.value-1mb", "a 1 MB text field", c.Plan(small, Obj(("blob", new string('x', 1 << 20)))),
            new Expectation.StoredOrRefused(Statuses.TooLarge));
        cases.Add("form.unicode-values", "Chinese and emoji values",
            c.Plan(small, c.Faker.ChineseFieldNames(), encoding: FormDataEncoding.Json), Ordinary);
        cases.Add("form.newlines", "CR, LF and CRLF inside a value",
            c.Plan(small, Obj(("note", "line1\r\nline2\nline3\r"))), Stored);
        cases.Add("form.boundary-like-value", "a value holding --WebKitFormBoundary text and dashes",
            c.Plan(small, Obj(("trap", "\r\n------WebKitFormBoundary\r\n--\r\n--x--"))), Stored);
        cases.Add("form.none", "no formData at all", c.Plan(small, new FormValue.Object([])), Ordinary);
        cases.Add("form.prototype-names", "fields named constructor, __proto__ and toString",
            c.Plan(small, Obj(("constructor", "1"), ("__proto__", "2"), ("toString", "3"))), Stored);
        cases.Add("form.non-string-js", "numbers, booleans and null as JS String() sends them",
            c.Plan(small, c.Faker.EnglishOrder()), Ordinary);
    }

    /// <summary>Payloads: sizes, photo kinds and bytes that look like multipart.</summary>
    private static void Payloads(CaseList cases, CatalogContext c, UploadFile small)
    {
        cases.Add("payload.empty", "an empty file with a filename: stored as 0 bytes or refused, deterministically",
            c.Plan(CatalogContext.FromBytes([], "empty.jpg", "image/jpeg", "0 bytes")),
            new Expectation.StoredOrRefused(Statuses.BadRequest));
        cases.Add("payload.one-byte", "a one-byte file",
            c.Plan(CatalogContext.FromBytes([0x42], "one.bin", "application/octet-stream", "1 byte")), Stored);
        cases.Add("payload.compressed-ios", ImageSpec.Compressed.Description, c.Plan(c.Image(ImageSpec.Compressed)),
            Ordinary);
        cases.Add("payload.compressed-android", ImageSpec.CompressedAndroid.Description,
            c.Plan(c.Image(ImageSpec.CompressedAndroid)), Ordinary);
        cases.Add("payload.original", ImageSpec.Original.Description, c.Plan(c.Image(ImageSpec.Original)), Ordinary);
        cases.Add("payload.screenshot", ImageSpec.Screenshot.Description, c.Plan(c.Image(ImageSpec.Screenshot)),
            Ordinary);
        cases.Add("payload.long-screenshot", ImageSpec.LongScreenshot.Description + ", about 17 MB",
            c.Plan(c.Image(ImageSpec.LongScreenshot)), Ordinary);
        cases.Add("payload.type-mismatch", "tmp_x.png labelled image/png holding JPEG bytes",
            c.Plan(c.Image(ImageSpec.CompressedAndroid) with { FileName = "tmp_mismatch.png",
            ContentType = "image/png" }), Stored);
        cases.Add("payload.octet-stream", "an image sent as application/octet-stream",
            c.Plan(small with { ContentType = "application/octet-stream" }), Stored);
        cases.Add("payload.crlf-heavy", "file bytes full of CRLF and -- runs",
            c.Plan(CatalogContext.FromBytes(
            CatalogContext.Bytes(string.Concat(Enumerable.Repeat("\r\n--\r\n-", 5000))), "crlf.bin",
            "application/octet-stream", "CRLF runs")), Stored);
        cases.Add("payload.generated-5mib", "5 MiB of exact-size binary", c.Plan(c.Generated(5 << 20)), Ordinary);
    }

    /// <summary>Each platform profile.</summary>
    private static void Platforms(CaseList cases, CatalogContext c)
    {
        cases.Add("platform.wechat-ios", "WeChat on iOS: Referer servicewechat.com, iOS User-Agent",
            c.Plan(c.Image(ImageSpec.Compressed)), Ordinary);
        cases.Add("platform.wechat-android", "WeChat on Android: MicroMessenger WebView User-Agent",
            c.Plan(c.Image(ImageSpec.CompressedAndroid), android: true), Ordinary);
        cases.Add("platform.alipay", "Alipay my.uploadFile: fileType=image added by the runtime",
            c.Plan(c.Image(ImageSpec.Compressed, PlatformProfile.Alipay), platform: PlatformProfile.Alipay), Ordinary);
        cases.Add("platform.uniapp-h5-several-files", "uni-app H5: three files in one request under one field",
            c.Plan(c.Image(ImageSpec.Compressed, PlatformProfile.UniAppH5), platform: PlatformProfile.UniAppH5,
                extraFiles: [c.Image(ImageSpec.CompressedAndroid, PlatformProfile.UniAppH5),
                c.Image(ImageSpec.Screenshot, PlatformProfile.UniAppH5)]), Ordinary);
        cases.Add("platform.taro-h5", "Taro H5: extensionless name, String() formData",
            c.Plan(c.Image(ImageSpec.CompressedAndroid, PlatformProfile.TaroH5), platform: PlatformProfile.TaroH5),
            Ordinary);
    }

    /// <summary>Content-Type as developers set it by hand.</summary>
    private static void ContentTypes(CaseList cases, CatalogContext c, UploadFile small)
    {
        string Boundary(RequestPlan p) => p.Boundary;
        var noBoundary = c.Plan(small, wire: new WireOptions { ContentTypeOverride = "multipart/form-data" });
        cases.Add("content-type.no-boundary", "multipart/form-data set by hand with no boundary: a 400, never a 500",
            noBoundary, new Expectation.Refused(Statuses.BadRequest, "a body it cannot delimit"),
            RequestForm.Malformed);
        cases.Add("content-type.wrong-type", "a multipart body labelled application/x-www-form-urlencoded",
            c.Plan(small, wire: new WireOptions { ContentTypeOverride = "application/x-www-form-urlencoded" }),
            new Expectation.Refused(Statuses.UnsupportedMediaType, "a body of another media type"),
            RequestForm.Malformed);
        var charset =
            c.Plan(small,
            wire: new WireOptions { BoundaryStyle = BoundaryStyle.Custom,
            CustomBoundary = "----WxCharsetBoundary7MA4YWxk" });
        cases.Add("content-type.charset", "a charset parameter before the boundary",
            charset with { Wire = charset.Wire with { ContentTypeOverride = $"multipart/form-data; charset=utf-8; "
            + $"boundary={Boundary(charset)}" } }, Stored);
        var quoted =
            c.Plan(small,
            wire: new WireOptions { BoundaryStyle = BoundaryStyle.Custom,
            CustomBoundary = "----WxQuotedBoundary7MA4YWxk" });
        cases.Add("content-type.quoted-boundary", "the boundary parameter in quotes",
            quoted with { Wire = quoted.Wire with { ContentTypeOverride = $"multipart/form-data; "
            + $"boundary=\"{Boundary(quoted)}\"" } }, Stored);
        var upper =
            c.Plan(small,
            wire: new WireOptions { BoundaryStyle = BoundaryStyle.Custom,
            CustomBoundary = "----WxUpperBoundary7MA4YWxk" });
        cases.Add("content-type.uppercase", "Multipart/Form-Data in mixed case (media types are case-insensitive)",
            upper with { Wire = upper.Wire with { ContentTypeOverride = $"Multipart/Form-Data; "
            + $"boundary={Boundary(upper)}" } }, Stored);
    }

    /// <summary>Boundary forms.</summary>
    private static void Boundaries(CaseList cases, CatalogContext c, UploadFile small)
    {
        cases.Add("boundary.webkit", "----WebKitFormBoundary + 16 characters",
            c.Plan(small, wire: new WireOptions { BoundaryStyle = BoundaryStyle.WebKit }), Stored);
        cases.Add("boundary.dashes-digits", "26 dashes + 24 digits (node form-data)",
            c.Plan(small, wire: new WireOptions { BoundaryStyle = BoundaryStyle.DashesDigits }), Stored);
        cases.Add("boundary.uuid", "a UUID boundary (OkHttp, Alamofire)",
            c.Plan(small, wire: new WireOptions { BoundaryStyle = BoundaryStyle.Uuid }), Stored);
        cases.Add("boundary.one-char", "a one-character boundary",
            c.Plan(small, wire: new WireOptions { BoundaryStyle = BoundaryStyle.Custom, CustomBoundary = "x" }),
            Stored);
        cases.Add("boundary.70-chars", "a 70-character boundary, RFC 2046's maximum",
            c.Plan(small,
            wire: new WireOptions { BoundaryStyle = BoundaryStyle.Custom, CustomBoundary = new string('b', 70) }),
            Stored);
    }

    private static string Kebab(FormDataEncoding e) => e switch
    {
        FormDataEncoding.JsString => "js-string",
        _ => e.ToString().ToLowerInvariant(),
    };
}
