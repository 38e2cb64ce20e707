using UploadConformance.Requests;
using Bogus;
using static UploadConformance.Requests.FormValue;

namespace UploadConformance.Requests;

/// <summary>Realistic formData from Bogus, the same for the same seed. Nothing here reads the clock,
/// which Bogus's date helpers do, so runs stay reproducible.</summary>
public sealed class FormDataFaker(int seed)
{
    private readonly Faker _zh = new("zh_CN") { Random = new Randomizer(seed) };
    private readonly Faker _en = new("en") { Random = new Randomizer(seed + 1) };

    /// <summary>The seed article's own formData: <c>{ id: 'test', a: { abc: '111' }, b: [1, 2, 3] }</c>.</summary>
    public static FormValue.Object SeedExample() =>
        Obj(("id", "test"), ("a", Obj(("abc", "111"))), ("b", Arr(1, 2, 3)));

    /// <summary>A user profile as a Chinese social app sends it: nested location, tag array, booleans, null.</summary>
    public FormValue.Object ChineseProfile() => Obj(
        ("userId", _zh.Random.AlphaNumeric(12)),
        ("nickname", _zh.Name.FullName()),
        ("city", _zh.Address.City()),
        ("phone", _zh.Phone.PhoneNumber()),
        ("location",
        Obj(("lat", Math.Round(_zh.Address.Latitude(), 6)), ("lng", Math.Round(_zh.Address.Longitude(), 6)))),
        ("tags", Arr(_zh.Commerce.Department(), _zh.Commerce.Department(), _zh.Commerce.Department())),
        ("isPublic", _zh.Random.Bool()),
        ("remark", FormValue.Null.Instance));

    /// <summary>Field names in Chinese, as developers of Chinese apps often choose.</summary>
    public FormValue.Object ChineseFieldNames() => Obj(
        ("用户名", _zh.Name.FullName()),
        ("备注", _zh.Lorem.Sentence(6)),
        ("相册", Obj(("名称", _zh.Address.City() + "之旅"), ("标签", Arr(_zh.Commerce.Color(), _zh.Commerce.Color())))),
        ("评分", _zh.Random.Int(1, 5)));

    public FormValue.Object EnglishOrder() => Obj(
        ("orderId", _en.Random.Replace("ORD-########")),
        ("customer", Obj(("name", _en.Name.FullName()), ("email", _en.Internet.Email()))),
        ("items", Arr(
            Obj(("sku", _en.Commerce.Ean8()), ("qty", _en.Random.Int(1, 9))),
            Obj(("sku", _en.Commerce.Ean8()), ("qty", _en.Random.Int(1, 9))))),
        ("price", Math.Round(_en.Random.Double(1, 500), 2)),
        ("gift", _en.Random.Bool()));

    public string ChineseFileName(string extension) => $"{_zh.Commerce.ProductName().Replace(" ", "")}-报告.{extension}";

    public int Next(int max) => _zh.Random.Int(0, max - 1);
}
