using System.Globalization;
using System.Text.Json;

namespace UploadConformance.ReferenceServer;

/// <summary>A store's refusal: the status and the <c>Code</c> and <c>Message</c> its error body carries.</summary>
public sealed record StorageRefusal(int Status, string Code, string Message);

/// <summary>One condition of a POST policy: <c>{"field": "value"}</c> and <c>["eq", "$field", "value"]</c>
/// match exactly, <c>["starts-with", "$field", "prefix"]</c> a prefix, <c>["content-length-range", min, max]</c>
/// the file's size.</summary>
public sealed record PolicyCondition(string Kind, string Field, string Value, long Min = 0, long Max = 0)
{
    public string Describe() => Kind == "content-length-range" ? $"[\"content-length-range\", {Min}, {Max}]"
        : $"[\"{Kind}\", \"${Field}\", \"{Value}\"]";
}

/// <summary>A POST form's policy as S3, OSS and COS read it: an expiration and conditions every field of
/// the form must meet (S3 also requires every field to be named by one). Parsing and checking are pure.</summary>
public sealed record PostPolicy(DateTimeOffset? Expiration, IReadOnlyList<PolicyCondition> Conditions)
{
    public static PostPolicy? Parse(string json, out string? problem)
    {
        problem = null;
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return Invalid("the policy is not a JSON object", out problem);
            DateTimeOffset? expiration = null;
            if (root.TryGetProperty("expiration", out var e))
            {
                if (e.ValueKind != JsonValueKind.String || !DateTimeOffset.TryParse(e.GetString(),
                    CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
                    return Invalid("expiration is not an ISO 8601 time", out problem);
                expiration = at;
            }
            var conditions = new List<PolicyCondition>();
            if (root.TryGetProperty("conditions", out var list))
            {
                if (list.ValueKind != JsonValueKind.Array) return Invalid("conditions is not a list", out problem);
                foreach (var c in list.EnumerateArray())
                {
                    var condition = Condition(c);
                    if (condition is null) return Invalid($"a condition cannot be read: {c.GetRawText()}", out problem);
                    conditions.Add(condition);
                }
            }
            return new PostPolicy(expiration, conditions);
        }
        catch (JsonException)
        {
            return Invalid("the policy is not JSON", out problem);
        }
    }

    private static PostPolicy? Invalid(string why, out string? problem)
    {
        problem = why;
        return null;
    }

    private static PolicyCondition? Condition(JsonElement c)
    {
        if (c.ValueKind == JsonValueKind.Object)
        {
            var only = c.EnumerateObject().ToList();
            return only.Count == 1 && only[0].Value.ValueKind == JsonValueKind.String
                ? new PolicyCondition("eq", only[0].Name.ToLowerInvariant(), only[0].Value.GetString()!) : null;
        }
        if (c.ValueKind != JsonValueKind.Array || c.GetArrayLength() != 3) return null;
        var kind = c[0].ValueKind == JsonValueKind.String ? c[0].GetString()!.ToLowerInvariant() : "";
        if (kind == "content-length-range")
            return Number(c[1]) is { } min && Number(c[2]) is { } max
                ? new PolicyCondition(kind, "", "", min, max) : null;
        if (kind is not ("eq" or "starts-with") || c[1].ValueKind != JsonValueKind.String
            || c[2].ValueKind != JsonValueKind.String || !c[1].GetString()!.StartsWith('$')) return null;
        return new PolicyCondition(kind, c[1].GetString()![1..].ToLowerInvariant(), c[2].GetString()!);
    }

    private static long? Number(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number when e.TryGetInt64(out var n) => n,
        JsonValueKind.String when long.TryParse(e.GetString(), NumberStyles.None, CultureInfo.InvariantCulture,
            out var n) => n,
        _ => null,
    };

    /// <summary>The first way the form breaks the policy, before its file is read: expired, a field that
    /// does not match, or (<paramref name="everyFieldNamed"/>, S3) a field no condition names.</summary>
    public StorageRefusal? CheckFields(IReadOnlyDictionary<string, string> fields, DateTimeOffset now,
        bool checkExpiration, bool everyFieldNamed, IReadOnlyCollection<string> exempt)
    {
        if (checkExpiration && Expiration is { } at && at < now)
            return new StorageRefusal(403, "AccessDenied", "Invalid according to Policy: Policy expired.");
        foreach (var c in Conditions.Where(c => c.Kind != "content-length-range"))
        {
            // An empty prefix allows any value, the field's absence included.
            var value = fields.GetValueOrDefault(c.Field)
                ?? (c.Kind == "starts-with" && c.Value.Length == 0 ? "" : null);
            var holds = value is not null && (c.Kind == "eq" ? value == c.Value
                : value.StartsWith(c.Value, StringComparison.Ordinal));
            if (!holds) return new StorageRefusal(403, "AccessDenied",
                $"Invalid according to Policy: Policy Condition failed: {c.Describe()}");
        }
        if (everyFieldNamed)
        {
            var named = Conditions.Select(c => c.Field).ToHashSet(StringComparer.Ordinal);
            var extra = fields.Keys.Where(k => !named.Contains(k) && !exempt.Contains(k)
                && !k.StartsWith("x-ignore-", StringComparison.Ordinal)).ToList();
            if (extra.Count > 0) return new StorageRefusal(403, "AccessDenied",
                $"Invalid according to Policy: Extra input fields: {string.Join(", ", extra)}");
        }
        return null;
    }

    /// <summary>The file's size against <c>content-length-range</c>.</summary>
    public StorageRefusal? CheckSize(long size)
    {
        foreach (var range in Conditions.Where(c => c.Kind == "content-length-range"))
        {
            if (size > range.Max) return new StorageRefusal(400, "EntityTooLarge",
                $"Your proposed upload exceeds the maximum allowed size ({size} > {range.Max})");
            if (size < range.Min) return new StorageRefusal(400, "EntityTooSmall",
                $"Your proposed upload is smaller than the minimum allowed size ({size} < {range.Min})");
        }
        return null;
    }
}
