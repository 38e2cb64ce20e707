using System.Text;
using UploadConformance.Payloads;
using UploadConformance.Requests;
using UploadConformance.Suites;
using UploadConformance.Wire;

namespace UploadConformance.Tests;

/// <summary>Byte-exact bodies, written out by hand: a change to what goes on the wire shows here.</summary>
public class MultipartWriterGoldenTests
{
    private static readonly UploadFile Hello = new(new BytesPayload("hello"u8.ToArray()), "a.txt", "text/plain");

    private static async Task<string> BodyOf(FormDataEncoding encoding, FormValue.Object formData,
        UploadFile? file = null, PartOrder order = PartOrder.FieldsFirst, NameEscaping escaping = NameEscaping.Whatwg,
        string field = "images")
    {
        var body = MultipartBody.Create("B0undary", FormDataEncoder.Encode(formData, encoding),
            [(field, file ?? Hello)], order, escaping);
        var bytes = await body.ToArrayAsync();
        Assert.Equal(body.Length, bytes.Length);
        return Encoding.UTF8.GetString(bytes);
    }

    private static string Crlf(string text) => text.ReplaceLineEndings("\r\n");

    [Fact]
    public async Task JsString_encoding()
    {
        Assert.Equal(Crlf("""
            --B0undary
            Content-Disposition: form-data; name="id"

            test
            --B0undary
            Content-Disposition: form-data; name="a"

            [object Object]
            --B0undary
            Content-Disposition: form-data; name="b"

            1,2,3
            --B0undary
            Content-Disposition: form-data; name="images"; filename="a.txt"
            Content-Type: text/plain

            hello
            --B0undary--

            """), await BodyOf(FormDataEncoding.JsString, FormDataFaker.SeedExample()));
    }

    [Fact]
    public async Task Json_encoding()
    {
        Assert.Equal(Crlf("""
            --B0undary
            Content-Disposition: form-data; name="id"

            test
            --B0undary
            Content-Disposition: form-data; name="a"

            {"abc":"111"}
            --B0undary
            Content-Disposition: form-data; name="b"

            [1,2,3]
            --B0undary
            Content-Disposition: form-data; name="images"; filename="a.txt"
            Content-Type: text/plain

            hello
            --B0undary--

            """), await BodyOf(FormDataEncoding.Json, FormDataFaker.SeedExample()));
    }

    [Fact]
    public async Task Bracket_encoding_with_the_file_first()
    {
        Assert.Equal(Crlf("""
            --B0undary
            Content-Disposition: form-data; name="images"; filename="a.txt"
            Content-Type: text/plain

            hello
            --B0undary
            Content-Disposition: form-data; name="id"

            test
            --B0undary
            Content-Disposition: form-data; name="a[abc]"

            111
            --B0undary
            Content-Disposition: form-data; name="b[]"

            1
            --B0undary
            Content-Disposition: form-data; name="b[]"

            2
            --B0undary
            Content-Disposition: form-data; name="b[]"

            3
            --B0undary--

            """), await BodyOf(FormDataEncoding.Brackets, FormDataFaker.SeedExample(), order: PartOrder.FileFirst));
    }

    [Fact]
    public async Task Dot_encoding_with_Chinese_names_as_raw_UTF8()
    {
        var formData = FormValue.Obj(("相册", FormValue.Obj(("名称", "上海之旅"))), ("标签", FormValue.Arr("红", "蓝")));
        var file = new UploadFile(new BytesPayload([0xFF, 0xD8, 0xFF]), "报告.jpg", "image/jpeg");
        var body = MultipartBody.Create("B0undary", FormDataEncoder.Encode(formData, FormDataEncoding.Dots),
            [("图片", file)]);
        var bytes = await body.ToArrayAsync();
        var expected = Encoding.UTF8.GetBytes(Crlf("""
            --B0undary
            Content-Disposition: form-data; name="相册.名称"

            上海之旅
            --B0undary
            Content-Disposition: form-data; name="标签[0]"

            红
            --B0undary
            Content-Disposition: form-data; name="标签[1]"

            蓝
            --B0undary
            Content-Disposition: form-data; name="图片"; filename="报告.jpg"
            Content-Type: image/jpeg


            """)).Concat(new byte[] { 0xFF, 0xD8, 0xFF }).Concat("\r\n--B0undary--\r\n"u8.ToArray()).ToArray();
        Assert.Equal(expected, bytes);
        Assert.Equal(bytes.Length, body.Length);
    }

    [Theory]
    [InlineData(NameEscaping.Whatwg, "name=\"say%22hi%22%0D%0A\"; filename=\"C:\\dir\\%22x%22.jpg\"")]
    [InlineData(NameEscaping.Backslash, "name=\"say\\\"hi\\\"\r\n\"; filename=\"C:\\\\dir\\\\\\\"x\\\".jpg\"")]
    public async Task Quotes_and_line_breaks_in_names_are_escaped_per_style(NameEscaping escaping,
        string expectedDisposition)
    {
        var file = new UploadFile(new BytesPayload([1]), "C:\\dir\\\"x\".jpg", "image/jpeg");
        var text = await BodyOf(FormDataEncoding.JsString, new FormValue.Object([]), file, escaping: escaping,
            field: "say\"hi\"\r\n");
        Assert.Contains($"Content-Disposition: form-data; {expectedDisposition}\r\n", text);
    }

    [Theory]
    [InlineData(BoundaryStyle.WebKit, "^----WebKitFormBoundary[A-Za-z0-9]{16}$")]
    [InlineData(BoundaryStyle.DashesDigits, "^-{26}[0-9]{24}$")]
    [InlineData(BoundaryStyle.Uuid, "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")]
    public async Task Each_boundary_style_has_its_clients_shape_is_seeded_and_frames_the_body(BoundaryStyle style,
        string pattern)
    {
        var first = Boundary.Create(style, new Random(42));
        Assert.Matches(pattern, first);
        Assert.Equal(first, Boundary.Create(style, new Random(42)));
        Assert.NotEqual(first, Boundary.Create(style, new Random(43)));

        var body = MultipartBody.Create(first, [new FormField("k", "v")], [("images", Hello)]);
        var text = Encoding.UTF8.GetString(await body.ToArrayAsync());
        Assert.StartsWith($"--{first}\r\n", text);
        Assert.EndsWith($"\r\n--{first}--\r\n", text);
        Assert.Equal($"multipart/form-data; boundary={first}", body.ContentType);
    }

    [Fact]
    public void A_custom_boundary_is_used_verbatim()
    {
        Assert.Equal("my boundary", Boundary.Create(BoundaryStyle.Custom, new Random(1), "my boundary"));
    }
}
