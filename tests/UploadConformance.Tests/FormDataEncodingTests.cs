using UploadConformance.Requests;
using UploadConformance.Suites;
using static UploadConformance.Requests.FormValue;

namespace UploadConformance.Tests;

public class FormDataEncodingTests
{
    private static string Render(FormValue.Object formData, FormDataEncoding encoding) =>
        string.Join("&", FormDataEncoder.Encode(formData, encoding).Select(f => $"{f.Name}={f.Value}"));

    [Theory]
    [InlineData(FormDataEncoding.JsString, "id=test&a=[object Object]&b=1,2,3")]
    [InlineData(FormDataEncoding.Json, "id=test&a={\"abc\":\"111\"}&b=[1,2,3]")]
    [InlineData(FormDataEncoding.Brackets, "id=test&a[abc]=111&b[]=1&b[]=2&b[]=3")]
    [InlineData(FormDataEncoding.Dots, "id=test&a.abc=111&b[0]=1&b[1]=2&b[2]=3")]
    public void The_seed_articles_formData_encodes_as_each_client_sends_it(FormDataEncoding encoding, string expected)
    {
        Assert.Equal(expected, Render(FormDataFaker.SeedExample(), encoding));
    }

    [Fact]
    public void A_plan_copied_with_another_encoding_or_formData_encodes_afresh()
    {
        var plan = Wire.RequestPlan.For(new UploadRequest
        {
            Url = new Uri("http://127.0.0.1/image"),
            Name = "images",
            File = new UploadFile(new Payloads.BytesPayload([1]), "a.bin", "application/octet-stream"),
            FormData = FormDataFaker.SeedExample(),
        }, FormDataEncoding.JsString);
        Assert.Equal("[object Object]", plan.Fields[1].Value);
        Assert.Equal("a[abc]", (plan with { Encoding = FormDataEncoding.Brackets }).Fields[1].Name);
        Assert.Equal("x",
            Assert.Single((plan with { Request = plan.Request with { FormData = Obj(("x", "1")) } }).Fields).Name);
    }

    [Fact]
    public void Arrays_of_objects_use_indices_in_bracket_form()
    {
        var formData = Obj(("items", Arr(Obj(("sku", "A"), ("qty", 2)), Obj(("sku", "B"), ("qty", 1)))));
        Assert.Equal("items[0][sku]=A&items[0][qty]=2&items[1][sku]=B&items[1][qty]=1",
            Render(formData, FormDataEncoding.Brackets));
        Assert.Equal("items[0].sku=A&items[0].qty=2&items[1].sku=B&items[1].qty=1",
            Render(formData, FormDataEncoding.Dots));
    }

    [Fact]
    public void JavaScript_String_coercion_matches_the_language()
    {
        var formData =
            Obj(("n", FormValue.Null.Instance), ("t", true), ("holes", Arr(1, FormValue.Null.Instance, 3)),
            ("nested", Arr(Arr(1, 2), 3)), ("zh", "中文"));
        Assert.Equal("n=null&t=true&holes=1,,3&nested=1,2,3&zh=中文", Render(formData, FormDataEncoding.JsString));
        Assert.Equal("n=null&t=true&holes=[1,null,3]&nested=[[1,2],3]&zh=中文", Render(formData, FormDataEncoding.Json));
    }

    [Theory]
    [InlineData(0.1, "0.1")]
    [InlineData(1.5, "1.5")]
    [InlineData(-0.0, "0")]
    [InlineData(123456789012.0, "123456789012")]
    [InlineData(1e21, "1e+21")]
    [InlineData(1e-7, "1e-7")]
    [InlineData(31.230416, "31.230416")]
    [InlineData(double.NaN, "NaN")]
    public void Numbers_print_as_JavaScript_prints_them(double value, string expected)
    {
        Assert.Equal(expected, FormValue.JsNumber(value));
    }

    [Fact]
    public void Bogus_values_are_the_same_for_the_same_seed_and_differ_across_seeds()
    {
        string Of(int seed) => Render(new FormDataFaker(seed).ChineseProfile(), FormDataEncoding.Json);
        Assert.Equal(Of(7), Of(7));
        Assert.NotEqual(Of(7), Of(8));
        Assert.Matches(@"\p{IsCJKUnifiedIdeographs}", Of(7));
    }
}
