namespace UploadConformance.Requests;

/// <summary>How the non-string values of <c>formData</c> become multipart text fields. What native
/// WeChat does is undocumented, so every form real clients and backends use is selectable.</summary>
public enum FormDataEncoding
{
    /// <summary><c>String(v)</c> per top-level key: <c>[object Object]</c>, <c>1,2,3</c>, <c>true</c> (XHR FormData,
    /// uni-app).</summary>
    JsString,
    /// <summary>Strings as they are, anything else <c>JSON.stringify</c>-ed: <c>a={"abc":"111"}</c>.</summary>
    Json,
    /// <summary>PHP/qs style: <c>a[abc]=111</c>, <c>b[]=1</c>; arrays holding objects use indices,
    /// <c>c[0][x]</c>.</summary>
    Brackets,
    /// <summary>Spring/ASP.NET binder style: <c>a.abc=111</c>, <c>b[0]=1</c>.</summary>
    Dots,
}

public readonly record struct FormField(string Name, string Value);

public static class FormDataEncoder
{
    public static IReadOnlyList<FormField> Encode(FormValue.Object formData, FormDataEncoding encoding)
    {
        var fields = new List<FormField>();
        foreach (var (key, value) in formData.Members)
        {
            switch (encoding)
            {
                case FormDataEncoding.JsString:
                    fields.Add(new FormField(key, value.ToJsString()));
                    break;
                case FormDataEncoding.Json:
                    fields.Add(new FormField(key, value is FormValue.Text t ? t.Value : value.ToJson()));
                    break;
                case FormDataEncoding.Brackets:
                    Flatten(fields, key, value, dots: false);
                    break;
                case FormDataEncoding.Dots:
                    Flatten(fields, key, value, dots: true);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(encoding), encoding, null);
            }
        }
        return fields;
    }

    private static void Flatten(List<FormField> fields, string prefix, FormValue value, bool dots)
    {
        switch (value)
        {
            case FormValue.Object o:
                foreach (var (key, member) in o.Members)
                    Flatten(fields, dots ? $"{prefix}.{key}" : $"{prefix}[{key}]", member, dots);
                break;
            case FormValue.Array a:
                var scalarsOnly = a.Items.All(i => i is not (FormValue.Object or FormValue.Array));
                for (var i = 0; i < a.Items.Count; i++)
                {
                    var name = !dots && scalarsOnly ? $"{prefix}[]" : $"{prefix}[{i}]";
                    Flatten(fields, name, a.Items[i], dots);
                }
                break;
            case FormValue.Null:
                // qs and Spring both send null as an empty value rather than the word "null".
                fields.Add(new FormField(prefix, ""));
                break;
            default:
                fields.Add(new FormField(prefix, value.ToJsString()));
                break;
        }
    }
}
