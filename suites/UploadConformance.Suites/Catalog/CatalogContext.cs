using System.Text;
using UploadConformance.Payloads;
using UploadConformance.Requests;
using UploadConformance.Targets;
using UploadConformance.Verification;
using UploadConformance.Wire;

namespace UploadConformance.Suites.Catalog;

/// <summary>What a suite builds its cases from: the target's profile (url, field, declared limits),
/// a seed, and helpers that keep each case to one readable line.</summary>
public sealed class CatalogContext(TargetProfile profile, int seed, ImageFactory images)
{
    private int _n;

    public TargetProfile Profile { get; } = profile;
    public int Seed { get; } = seed;
    public ImageFactory Images { get; } = images;
    public FormDataFaker Faker { get; } = new(seed);
    public string Field => Profile.Field;
    public DeclaredLimits Limits => Profile.Limits;

    public UploadFile Image(ImageSpec spec, PlatformProfile? platform = null) =>
        new(Images.Deferred(spec, Seed),
        (platform ?? PlatformProfile.WeChat).TempFileName(NextContext(), spec.Extension), spec.ContentType);

    public UploadFile Generated(long bytes, string fileName = "tmp_upload.bin",
        string contentType = "application/octet-stream") =>
        new(new GeneratedPayload(bytes, (ulong)(Seed + 7919 * ++_n)), fileName, contentType);

    public static UploadFile FromBytes(byte[] bytes, string fileName, string contentType, string? description = null) =>
        new(new BytesPayload(bytes, description), fileName, contentType);

    public PlatformContext NextContext(bool android = false) => new(Seed + ++_n) { Android = android };

    public RequestPlan Plan(
        UploadFile file,
        FormValue.Object? formData = null,
        string? field = null,
        PlatformProfile? platform = null,
        FormDataEncoding? encoding = null,
        WireOptions? wire = null,
        IReadOnlyList<UploadFile>? extraFiles = null,
        int? timeoutMs = null,
        bool android = false)
    {
        platform ??= PlatformProfile.WeChat;
        var request = new UploadRequest
        {
            Url = Profile.Url,
            Name = field ?? Field,
            File = file,
            ExtraFiles = extraFiles ?? [],
            Header = platform.Headers(NextContext(android)),
            FormData = new FormValue.Object(
            [.. (formData ?? FormDataFaker.SeedExample()).Members, .. platform.AddedFields]),
            TimeoutMs = timeoutMs ?? platform.DefaultTimeoutMs,
        };
        return RequestPlan.For(request, encoding ?? platform.Encoding, wire, Seed + ++_n, platform.Id);
    }

    /// <summary>Concatenates text (UTF-8, written with \r\n where the wire needs them) and raw bytes.</summary>
    public static byte[] Bytes(params object[] pieces)
    {
        var output = new MemoryStream();
        foreach (var piece in pieces)
        {
            var bytes = piece switch
            {
                string s => Encoding.UTF8.GetBytes(s),
                byte[] b => b,
                _ => throw new ArgumentException(piece.GetType().Name),
            };
            output.Write(bytes);
        }
        return output.ToArray();
    }

    /// <summary>A well-formed body with one field and one small file, the raw cases' starting point.</summary>
    public static byte[] WellFormed(string boundary, string field, byte[] content, string fileName = "tmp_raw.jpg") =>
        Bytes(
        $"--{boundary}\r\nContent-Disposition: form-data; name=\"id\"\r\n\r\ntest\r\n",
        $"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; "
        + $"filename=\"{fileName}\"\r\nContent-Type: image/jpeg\r\n\r\n",
        content,
        $"\r\n--{boundary}--\r\n");

    /// <summary>What a well-formed raw body carries, so a server that stores it is checked byte for byte.</summary>
    public PlannedFiles WellFormedFiles(byte[] content, string fileName = "tmp_raw.jpg",
        string contentType = "image/jpeg") =>
        new([(Field, FromBytes(content, fileName, contentType, $"{content.Length} bytes"))],
        [new FormField("id", "test")]);

    /// <summary>A raw body's one file part and nothing else; an empty <paramref name="contentType"/> is a
    /// part without a Content-Type, whose stored type is then not checked.</summary>
    public PlannedFiles FileOnly(byte[] content, string fileName, string contentType = "image/jpeg") =>
        new([(Field, FromBytes(content, fileName, contentType, $"{content.Length} bytes"))], []);

    public static byte[] SmallJpegLike(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        bytes[0] = 0xFF;
        bytes[1] = 0xD8;
        return bytes;
    }
}

/// <summary>Shorthand for a suite's case lines. A planned case is well-formed unless said otherwise; a
/// raw one says which it is.</summary>
public sealed class CaseList(string suite) : List<UploadCase>
{
    public void Add(string id, string description, RequestPlan plan, Expectation expect,
        RequestForm form = RequestForm.WellFormed,
        params ExtraCheck[] extra) =>
        Add(new UploadCase($"{suite}.{id}", suite, description, plan, expect) { Form = form, Extra = extra });

    public void Raw(string id, string description, RawRequest request, Expectation expect, RequestForm form,
        IPlannedFiles? files = null,
        params ExtraCheck[] extra) =>
        Add(new UploadCase($"{suite}.{id}", suite, description, new CaseRequest.Raw(request, description, files),
        expect) { Form = form, Extra = extra });

    /// <summary>A case of several uploads, each one expected stored exactly (the profile's limits
    /// applied); <paramref name="expectation"/> says what it looks for.</summary>
    public void Several(string id, string description, string expectation,
        IReadOnlyList<(string Label, RequestPlan Plan)> uploads, bool atOnce = false, bool noteSameUrl = false) =>
        Add(new UploadCase($"{suite}.{id}", suite, description, new CaseRequest.Several(uploads, atOnce, noteSameUrl),
        Expectation.StoredExactly) { Sentence = expectation });
}

public static class Statuses
{
    public static readonly int[] BadRequest = [400];
    public static readonly int[] TooLarge = [413];
    public static readonly int[] HeadersTooLarge = [431, 413, 400];
    public static readonly int[] UnsupportedMediaType = [415, 400];
    public static readonly int[] BadOrTooLarge = [400, 413];
}
