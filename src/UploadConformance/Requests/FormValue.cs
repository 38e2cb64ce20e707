using System.Globalization;
using System.Text;

namespace UploadConformance.Requests;

/// <summary>
/// A value of wx.uploadFile's <c>formData</c>: what a mini-program passes is a JavaScript value,
/// so strings, numbers, booleans, null, and nested objects and arrays all occur.
/// </summary>
public abstract record FormValue
{
    public sealed record Text(string Value) : FormValue;
    public sealed record Number(double Value) : FormValue;
    public sealed record Boolean(bool Value) : FormValue;
    public sealed record Null : FormValue
    {
        public static readonly Null Instance = new();
    }
    public sealed record Object(IReadOnlyList<KeyValuePair<string, FormValue>> Members) : FormValue;
    public sealed record Array(IReadOnlyList<FormValue> Items) : FormValue;

    public static implicit operator FormValue(string value) => new Text(value);
    public static implicit operator FormValue(double value) => new Number(value);
    public static implicit operator FormValue(bool value) => new Boolean(value);

    public static Object Obj(params (string Key, FormValue Value)[] members) =>
        new(members.Select(m => KeyValuePair.Create(m.Key, m.Value)).ToList());

    public static Array Arr(params FormValue[] items) => new(items);

    /// <summary>JavaScript's <c>String(v)</c>, which is what XHR FormData and uni-app's App runtime apply.</summary>
    public string ToJsString() => this switch
    {
        Text t => t.Value,
        Number n => JsNumber(n.Value),
        Boolean b => b.Value ? "true" : "false",
        Null => "null",
        Object => "[object Object]",
        // Array.prototype.join renders null and undefined elements as empty strings.
        Array a => string.Join(",", a.Items.Select(i => i is Null ? "" : i.ToJsString())),
        _ => throw new InvalidOperationException(GetType().Name),
    };

    /// <summary>JavaScript's <c>JSON.stringify(v)</c>.</summary>
    public string ToJson()
    {
        var sb = new StringBuilder();
        WriteJson(sb);
        return sb.ToString();
    }

    private void WriteJson(StringBuilder sb)
    {
        switch (this)
        {
            case Text t: sb.Append(System.Text.Json.JsonSerializer.Serialize(t.Value, JsonText.Options)); break;
            case Number n: sb.Append(double.IsFinite(n.Value) ? JsNumber(n.Value) : "null"); break;
            case Boolean b: sb.Append(b.Value ? "true" : "false"); break;
            case Null: sb.Append("null"); break;
            case Object o:
                sb.Append('{');
                for (var i = 0; i < o.Members.Count; i++)
                {
                    if (i > 0) sb.Append(',');
                    sb.Append(System.Text.Json.JsonSerializer.Serialize(o.Members[i].Key, JsonText.Options)).Append(
                        ':');
                    o.Members[i].Value.WriteJson(sb);
                }
                sb.Append('}');
                break;
            case Array a:
                sb.Append('[');
                for (var i = 0; i < a.Items.Count; i++)
                {
                    if (i > 0) sb.Append(',');
                    a.Items[i].WriteJson(sb);
                }
                sb.Append(']');
                break;
        }
    }

    /// <summary>Number.prototype.toString for the values a form carries (ECMA-262 Number::toString).</summary>
    public static string JsNumber(double v)
    {
        if (double.IsNaN(v)) return "NaN";
        if (double.IsPositiveInfinity(v)) return "Infinity";
        if (double.IsNegativeInfinity(v)) return "-Infinity";
        if (v == 0) return "0";
        var abs = Math.Abs(v);
        if (abs < 1e21 && Math.Floor(v) == v) return v.ToString("F0", CultureInfo.InvariantCulture);
        var r = v.ToString("R", CultureInfo.InvariantCulture);
        if (abs >= 1e-6 && abs < 1e21 && !r.Contains('E')) return r;
        // .NET writes 1E-07 where JavaScript writes 1e-7.
        var e = r.IndexOf('E');
        if (e < 0) return r;
        var mantissa = r[..e];
        var exponent = int.Parse(r[(e + 1)..], CultureInfo.InvariantCulture);
        return mantissa + "e" + (exponent < 0 ? "-" : "+") + Math.Abs(exponent).ToString(CultureInfo.InvariantCulture);
    }
}

internal static class JsonText
{
    public static readonly System.Text.Json.JsonSerializerOptions Options = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
