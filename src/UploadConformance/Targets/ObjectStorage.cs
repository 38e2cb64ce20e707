using System.Text.Json;

namespace UploadConformance.Targets;

/// <summary>The object stores a mini-program posts to directly (<c>storage:</c> in a profile), each as its
/// public documentation describes its form upload.</summary>
public enum StorageKind { None, S3, Oss, Cos, Qiniu }

/// <summary>What each store's form upload means on the wire: where the file goes, what success is, how a
/// refusal reads. The credential fields come from the flow's steps, before the file (stores stop reading
/// fields at the file part).</summary>
public static class ObjectStorage
{
    public static StorageKind Parse(string text) => text switch
    {
        "s3" => StorageKind.S3,
        "oss" => StorageKind.Oss,
        "cos" => StorageKind.Cos,
        "qiniu" => StorageKind.Qiniu,
        _ => throw new FormatException($"'{text}' is not a storage kind: s3, oss, cos or qiniu"),
    };

    public static string Name(StorageKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>The profile's defaults for a store: the file under <c>file</c>; success as the store defines it
    /// (S3, OSS and COS answer 204 by default, 200 or 201 with XML naming Bucket, Key and ETag when
    /// <c>success_action_status</c> asks; Qiniu answers JSON with the key and its hash); an answer that
    /// echoes nothing but the key, so the file is fetched back from the bucket (<c>fetch</c>); and no
    /// reference-style counters.</summary>
    public static TargetProfile Defaults(TargetProfile profile, StorageKind kind) => profile with
    {
        Storage = kind,
        Field = "file",
        Success = new SuccessRule { Status = kind == StorageKind.Qiniu ? [200] : [200, 201, 204], Json = [] },
        Echo = new EchoPaths
        {
            Files = null, File = kind == StorageKind.Qiniu ? "$" : null, Size = null, Sha256 = null, Url = null,
            Filename = null, Field = null, ContentType = null, Fields = null,
        },
        Stats = null,
        Health = null,
        // S3, OSS and COS refuse a file over content-length-range with 400 EntityTooLarge; Qiniu with 413.
        Limits = profile.Limits with { OverLimitStatus = kind == StorageKind.Qiniu ? 413 : 400 },
    };

    /// <summary>The fields that sign the form (OSS V1 and V4 name theirs differently); a case corrupts them.</summary>
    public static IReadOnlyList<string> SignatureFields(StorageKind kind) => kind switch
    {
        StorageKind.S3 => ["x-amz-signature"],
        StorageKind.Oss => ["signature", "x-oss-signature"],
        StorageKind.Cos => ["q-signature"],
        _ => ["token"],
    };

    /// <summary>The fields without which the form is anonymous.</summary>
    public static IReadOnlyList<string> CredentialFields(StorageKind kind) => kind == StorageKind.Qiniu ? ["token"]
        : [.. SignatureFields(kind), "policy"];

    /// <summary>Every store's metadata prefix: the fields a stored object gives back as headers.</summary>
    public static readonly IReadOnlyList<string> MetaPrefixes =
        [.. Enum.GetValues<StorageKind>().Select(MetaPrefix).OfType<string>()];

    /// <summary>A metadata field's prefix: kept with the object and given back as a header; null for Qiniu,
    /// whose form names metadata otherwise.</summary>
    public static string? MetaPrefix(StorageKind kind) => kind switch
    {
        StorageKind.S3 => "x-amz-meta-",
        StorageKind.Oss => "x-oss-meta-",
        StorageKind.Cos => "x-cos-meta-",
        _ => null,
    };

    /// <summary>When a signed form stops being valid, read from the form itself (no secret needed): the
    /// policy's <c>expiration</c> (S3, OSS, COS), the end of COS's <c>q-key-time</c>, or the <c>deadline</c> of a
    /// Qiniu token's put policy. Null when the form names none.</summary>
    public static DateTimeOffset? Expiry(IEnumerable<KeyValuePair<string, string>> fields)
    {
        var form = fields.GroupBy(f => f.Key.ToLowerInvariant()).ToDictionary(g => g.Key, g => g.First().Value);
        var ends = new List<DateTimeOffset>();
        if (form.TryGetValue("q-key-time", out var keyTime) && keyTime.Split(';') is [_, var end]
            && long.TryParse(end, out var seconds)) ends.Add(DateTimeOffset.FromUnixTimeSeconds(seconds));
        if (form.TryGetValue("policy", out var policy) && Json(Base64(policy)) is { } p
            && p.TryGetProperty("expiration", out var e) && e.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(e.GetString(), System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal, out var at)) ends.Add(at);
        if (form.TryGetValue("token", out var token) && token.Split(':') is [_, _, var encoded]
            && Json(Base64(encoded.Replace('-', '+').Replace('_', '/'))) is { } put
            && put.TryGetProperty("deadline", out var d) && d.TryGetInt64(out var deadline))
            ends.Add(DateTimeOffset.FromUnixTimeSeconds(deadline));
        return ends.Count == 0 ? null : ends.Min();
    }

    private static string? Base64(string text)
    {
        try
        {
            return System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(text));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static JsonElement? Json(string? text)
    {
        if (text is null) return null;
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A store's refusal, read from its error body: S3, OSS and COS answer
    /// <c>&lt;Error&gt;&lt;Code&gt;EntityTooLarge&lt;/Code&gt;&lt;Message&gt;…</c>; Qiniu answers
    /// <c>{"error": "…"}</c>. Null when the answer says neither.</summary>
    public static (string Code, string? Message)? Refusal(string? answer)
    {
        if (XmlAnswer.Element(answer, "Code") is { Length: > 0 } code)
            return (code, XmlAnswer.Element(answer, "Message"));
        try
        {
            using var document = JsonDocument.Parse(answer ?? "");
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var error)
                && error.ValueKind == JsonValueKind.String)
                return ("error", error.GetString());
        }
        catch (JsonException)
        {
        }
        return null;
    }
}
