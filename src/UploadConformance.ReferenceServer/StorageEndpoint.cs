using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace UploadConformance.ReferenceServer;

/// <summary>Buckets that take form uploads as S3 (<c>POST /s3/{bucket}</c>), OSS (<c>/oss/{bucket}</c>), COS
/// (<c>/cos/{bucket}</c>) and Qiniu (<c>POST /qiniu</c>, the bucket in the token) do, each checking the
/// policy and signature as its public documentation says, and answering as it does: 204, or 200/201 by
/// <c>success_action_status</c> (201 with XML naming Bucket, Key and ETag), refusals as XML
/// <c>&lt;Error&gt;&lt;Code&gt;</c> (Qiniu: JSON <c>{"error"}</c>). Objects are fetched back with
/// <c>GET /{provider}/{bucket}/{key}</c>, their <c>*-meta-*</c> fields as headers.</summary>
public sealed class StorageEndpoint(ReferenceServerOptions options, string directory)
{
    private const int MaxFieldChars = 64 * 1024;
    private const int MaxFields = 100;
    private const long MaxObjectBytes = 1L << 30;

    private sealed record StoredObject(string Path, string ContentType, long Size, string ETag, string Sha256,
        IReadOnlyList<KeyValuePair<string, string>> Meta);

    /// <summary>The size and sha256 of the object stored under <paramref name="key"/> in any bucket, for a
    /// backend confirming an upload; null when there is none.</summary>
    public (long Size, string Sha256)? Find(string key) => _objects
        .Where(o => o.Key.EndsWith("/" + key, StringComparison.Ordinal) && o.Key.Split('/').Length >= 3)
        .Select(o => ((long Size, string Sha256)?)(o.Value.Size, o.Value.Sha256)).FirstOrDefault();

    private readonly ConcurrentDictionary<string, StoredObject> _objects = new(StringComparer.Ordinal);
    private readonly DefectPolicy _defects = new(options.Defects);
    private long _sequence;

    public static readonly IReadOnlyList<string> Providers = ["s3", "oss", "cos", "qiniu"];

    public async Task HandleAsync(HttpContext context, string provider, string? bucket)
    {
        var request = context.Request;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            || !type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(type.Boundary).Value is not { Length: > 0 } boundary)
        {
            await RefuseAsync(context, provider, new StorageRefusal(400, "MalformedPOSTRequest",
                "The body of your POST request is not well-formed multipart/form-data.")).ConfigureAwait(false);
            return;
        }
        var reader = new MultipartReader(boundary, request.Body) { HeadersLengthLimit = 16 * 1024 };
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var fieldOrder = new List<KeyValuePair<string, string>>();
        MultipartSection? file = null;
        string? fileName = null;
        try
        {
            while (await reader.ReadNextSectionAsync(context.RequestAborted).ConfigureAwait(false) is { } section)
            {
                var disposition = ContentDispositionHeaderValue.Parse(section.ContentDisposition);
                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                if (name.Equals("file", StringComparison.OrdinalIgnoreCase))
                {
                    // The stores read fields up to the file and ignore what follows it.
                    file = section;
                    fileName = disposition.FileNameStar.Value ?? HeaderUtilities.RemoveQuotes(disposition.FileName)
                        .Value ?? "";
                    break;
                }
                using var text = new StreamReader(section.Body, Encoding.UTF8);
                var value = await text.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
                if (value.Length > MaxFieldChars || fields.Count >= MaxFields)
                {
                    await RefuseAsync(context, provider, new StorageRefusal(400, "MaxPostPreDataLengthExceeded",
                        "Your POST request fields preceding the upload file were too large.")).ConfigureAwait(false);
                    return;
                }
                fields[name.ToLowerInvariant()] = value;
                fieldOrder.Add(KeyValuePair.Create(name, value));
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException or FormatException)
        {
            await RefuseAsync(context, provider, new StorageRefusal(400, "MalformedPOSTRequest",
                "The body of your POST request is not well-formed multipart/form-data.")).ConfigureAwait(false);
            return;
        }
        if (file is null)
        {
            await RefuseAsync(context, provider, new StorageRefusal(400, "InvalidArgument",
                "POST requires exactly one file upload per request.")).ConfigureAwait(false);
            return;
        }
        var now = DateTimeOffset.UtcNow;
        var (authorised, policy, refusal) = provider == "qiniu" ? Qiniu(fields, now) : Authorise(provider, bucket!,
            fields, now);
        bucket = authorised ?? bucket;
        var key = fields.GetValueOrDefault("key")?.Replace("${filename}", fileName, StringComparison.Ordinal);
        if (refusal is null && string.IsNullOrEmpty(key))
            refusal = new StorageRefusal(400, "InvalidArgument", "Bucket POST must contain a field named 'key'.");
        var temp = Path.Combine(directory, $"upload-{Interlocked.Increment(ref _sequence)}.partial");
        long size;
        string sha256;
        try
        {
            (size, sha256) = await ReceiveAsync(file.Body, refusal is null ? temp : null, context.RequestAborted)
                .ConfigureAwait(false);
        }
        catch (IOException)
        {
            File.Delete(temp);
            return;
        }
        refusal ??= _defects.IgnoresContentLengthRange ? null : policy?.CheckSize(size);
        // Qiniu says it its own way: 413 with "exceed FsizeLimit".
        if (provider == "qiniu" && refusal is { Code: "EntityTooLarge" })
            refusal = new StorageRefusal(413, "error", "exceed FsizeLimit");
        // The store's own ceiling (S3's is 5 GB for one POST); what an app allows is its policy's range.
        if (refusal is null && size > MaxObjectBytes)
            refusal = new StorageRefusal(400, "EntityTooLarge", $"Your proposed upload exceeds the maximum allowed "
                + $"size ({MaxObjectBytes} bytes)");
        if (refusal is not null)
        {
            File.Delete(temp);
            await RefuseAsync(context, provider, refusal).ConfigureAwait(false);
            return;
        }
        var etag = $"\"{sha256[..32]}\"";
        var meta = fieldOrder.Where(f => f.Key.ToLowerInvariant() is var n && (n.StartsWith("x-amz-meta-",
            StringComparison.Ordinal) || n.StartsWith("x-oss-meta-", StringComparison.Ordinal)
            || n.StartsWith("x-cos-meta-", StringComparison.Ordinal))).ToList();
        var contentType = fields.GetValueOrDefault("content-type") ?? file.ContentType ?? "application/octet-stream";
        Keep($"{provider}/{bucket}/{key}", temp, new StoredObject(temp, contentType, size, etag, sha256, meta));
        await AnswerStoredAsync(context, provider, bucket!, key!, etag, sha256, size, fields).ConfigureAwait(false);
    }

    /// <summary>The stored bytes at <c>/{provider}/{bucket}/{key}</c>, with the meta fields sent as headers.</summary>
    public IResult Get(string provider, string bucket, string key)
    {
        if (!_objects.TryGetValue($"{provider}/{bucket}/{key}", out var stored) || !File.Exists(stored.Path))
            return Results.Text(Error("NoSuchKey", "The specified key does not exist."), "application/xml",
                statusCode: 404);
        return new MetaFileResult(stored.Path, stored.ContentType, stored.ETag, stored.Meta);
    }

    private sealed class MetaFileResult(string path, string contentType, string etag,
        IReadOnlyList<KeyValuePair<string, string>> meta) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            foreach (var (name, value) in meta) context.Response.Headers[name] = Uri.EscapeDataString(value);
            context.Response.Headers.ETag = etag;
            return Results.File(path, contentType).ExecuteAsync(context);
        }
    }

    /// <summary>The S3, OSS or COS signature over the policy, then the policy's fields. Returns the bucket
    /// the form may write to and the policy, whose size range is checked once the file is read.</summary>
    private (string? Bucket, PostPolicy? Policy, StorageRefusal? Refusal) Authorise(string provider, string bucket,
        Dictionary<string, string> fields, DateTimeOffset now)
    {
        var policyBase64 = fields.GetValueOrDefault("policy");
        if (policyBase64 is null)
            return (null, null, new StorageRefusal(403, "AccessDenied", "Access Denied (an anonymous upload: this "
                + "bucket takes signed forms only)"));
        var signed = provider switch
        {
            "s3" => S3Signature(fields, policyBase64),
            "oss" => OssSignature(fields, policyBase64),
            _ => CosSignature(fields, policyBase64, now),
        };
        if (signed is not null && !_defects.AcceptsAnySignature) return (null, null, signed);
        string json;
        try
        {
            json = Encoding.UTF8.GetString(Convert.FromBase64String(policyBase64));
        }
        catch (FormatException)
        {
            return (null, null, new StorageRefusal(400, "InvalidPolicyDocument", "Invalid Policy: the policy is not "
                + "base64"));
        }
        var policy = PostPolicy.Parse(json, out var problem);
        if (policy is null) return (null, null, new StorageRefusal(400, "InvalidPolicyDocument",
            $"Invalid Policy: {problem}"));
        if (provider != "cos" && policy.Expiration is null)
            return (null, null, new StorageRefusal(400, "InvalidPolicyDocument",
                "Invalid Policy: Policy missing expiration."));
        var withBucket = new Dictionary<string, string>(fields, StringComparer.Ordinal) { ["bucket"] = bucket };
        // COS names the key time q-key-time in the form and q-sign-time in the policy.
        if (provider == "cos" && fields.TryGetValue("q-key-time", out var keyTime)) withBucket["q-sign-time"] = keyTime;
        var exempt = new[] { "policy", "x-amz-signature", "file", "bucket" };
        return (null, policy, policy.CheckFields(withBucket, now, !_defects.IgnoresExpiration,
            everyFieldNamed: provider == "s3", exempt));
    }

    private static StorageRefusal? S3Signature(Dictionary<string, string> fields, string policy)
    {
        if (fields.GetValueOrDefault("x-amz-algorithm") != "AWS4-HMAC-SHA256")
            return new StorageRefusal(400, "InvalidRequest", "x-amz-algorithm must be AWS4-HMAC-SHA256");
        var credential = (fields.GetValueOrDefault("x-amz-credential") ?? "").Split('/');
        if (credential.Length != 5 || credential[3] != "s3" || credential[4] != "aws4_request")
            return new StorageRefusal(400, "InvalidArgument", "x-amz-credential is not id/day/region/s3/aws4_request");
        if (StorageKeys.SecretFor("s3", credential[0]) is not { } secret)
            return new StorageRefusal(403, "InvalidAccessKeyId",
                "The AWS Access Key Id you provided does not exist in our records.");
        return StorageSignatures.Same(StorageSignatures.S3V4(secret, credential[1], credential[2], policy),
            fields.GetValueOrDefault("x-amz-signature")) ? null : SignatureDoesNotMatch;
    }

    private static StorageRefusal? OssSignature(Dictionary<string, string> fields, string policy)
    {
        if (fields.GetValueOrDefault("x-oss-signature-version") == "OSS4-HMAC-SHA256")
        {
            var credential = (fields.GetValueOrDefault("x-oss-credential") ?? "").Split('/');
            if (credential.Length != 5 || credential[3] != "oss" || credential[4] != "aliyun_v4_request")
                return new StorageRefusal(400, "InvalidArgument",
                    "x-oss-credential is not id/day/region/oss/aliyun_v4_request");
            return StorageKeys.SecretFor("oss", credential[0]) is not { } v4Secret
                ? new StorageRefusal(403, "InvalidAccessKeyId", "The OSS Access Key Id you provided does not exist "
                    + "in our records.")
                : StorageSignatures.Same(StorageSignatures.OssV4(v4Secret, credential[1], credential[2], policy),
                    fields.GetValueOrDefault("x-oss-signature")) ? null : SignatureDoesNotMatch;
        }
        if (StorageKeys.SecretFor("oss", fields.GetValueOrDefault("ossaccesskeyid") ?? "") is not { } secret)
            return new StorageRefusal(403, "InvalidAccessKeyId",
                "The OSS Access Key Id you provided does not exist in our records.");
        return StorageSignatures.Same(StorageSignatures.OssV1(secret, policy), fields.GetValueOrDefault("signature"))
            ? null : SignatureDoesNotMatch;
    }

    private static StorageRefusal? CosSignature(Dictionary<string, string> fields, string policy, DateTimeOffset now)
    {
        if (fields.GetValueOrDefault("q-sign-algorithm") != "sha1")
            return new StorageRefusal(400, "InvalidArgument", "q-sign-algorithm must be sha1");
        if (StorageKeys.SecretFor("cos", fields.GetValueOrDefault("q-ak") ?? "") is not { } secret)
            return new StorageRefusal(403, "InvalidAccessKeyId", "The q-ak you provided does not exist.");
        var keyTime = fields.GetValueOrDefault("q-key-time") ?? "";
        var window = keyTime.Split(';');
        if (window.Length != 2 || !long.TryParse(window[0], out var start) || !long.TryParse(window[1], out var end))
            return new StorageRefusal(400, "InvalidArgument", "q-key-time is not start;end");
        string json;
        try
        {
            json = Encoding.UTF8.GetString(Convert.FromBase64String(policy));
        }
        catch (FormatException)
        {
            return new StorageRefusal(400, "InvalidPolicyDocument", "Invalid Policy: the policy is not base64");
        }
        var expected = StorageSignatures.Cos(secret, keyTime, json);
        if (!StorageSignatures.Same(expected, fields.GetValueOrDefault("q-signature")))
            return SignatureDoesNotMatch;
        var seconds = now.ToUnixTimeSeconds();
        return seconds < start || seconds > end ? new StorageRefusal(403, "AccessDenied", "Request has expired")
            : null;
    }

    /// <summary>Qiniu's form upload: <c>token</c> = AccessKey:sign:encodedPutPolicy, the policy's scope naming
    /// the bucket (and the key, or its prefix), its deadline and its size limit.</summary>
    private (string? Bucket, PostPolicy? Policy, StorageRefusal? Refusal) Qiniu(Dictionary<string, string> fields,
        DateTimeOffset now)
    {
        var parts = (fields.GetValueOrDefault("token") ?? "").Split(':');
        if (parts.Length != 3 || StorageKeys.SecretFor("qiniu", parts[0]) is not { } secret)
            return (null, null, new StorageRefusal(401, "error", "bad token"));
        if (!StorageSignatures.Same(StorageSignatures.QiniuSign(secret, parts[2]), parts[1])
            && !_defects.AcceptsAnySignature)
            return (null, null, new StorageRefusal(401, "error", "bad token"));
        if (StorageSignatures.FromUrlSafeBase64(parts[2]) is not { } bytes)
            return (null, null, new StorageRefusal(401, "error", "bad token"));
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            var scope = root.TryGetProperty("scope", out var s) && s.ValueKind == JsonValueKind.String
                ? s.GetString()! : "";
            var bucket = scope.Split(':')[0];
            if (bucket.Length == 0) return (null, null, new StorageRefusal(401, "error", "bad token: no scope"));
            if (!_defects.IgnoresExpiration && root.TryGetProperty("deadline", out var d) && d.TryGetInt64(out var at)
                && at < now.ToUnixTimeSeconds())
                return (null, null, new StorageRefusal(401, "error", "expired token"));
            var key = fields.GetValueOrDefault("key");
            if (scope.Contains(':'))
            {
                var scopedKey = scope[(scope.IndexOf(':') + 1)..];
                var prefix = root.TryGetProperty("isPrefixalScope", out var p) && p.TryGetInt32(out var isPrefix)
                    && isPrefix == 1;
                if (key is null || (prefix ? !key.StartsWith(scopedKey, StringComparison.Ordinal) : key != scopedKey))
                    return (null, null, new StorageRefusal(403, "error", "key doesn't match with scope"));
            }
            var limit = root.TryGetProperty("fsizeLimit", out var f) && f.TryGetInt64(out var max) ? max
                : long.MaxValue;
            PostPolicy? range = limit == long.MaxValue ? null
                : new PostPolicy(null, [new PolicyCondition("content-length-range", "", "", 0, limit)]);
            return (bucket, range, null);
        }
        catch (JsonException)
        {
            return (null, null, new StorageRefusal(401, "error", "bad token"));
        }
    }

    private static readonly StorageRefusal SignatureDoesNotMatch = new(403, "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided. Check your key and signing "
        + "method.");

    private static async Task<(long Size, string Sha256)> ReceiveAsync(Stream body, string? path, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var output = path is null ? Stream.Null : new FileStream(path, FileMode.CreateNew, FileAccess.Write,
            FileShare.None, 64 * 1024, useAsync: true);
        var buffer = new byte[64 * 1024];
        long size = 0;
        int read;
        while ((read = await body.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            await output.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
            size += read;
        }
        return (size, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private readonly ConcurrentQueue<(string Name, long Size)> _order = new();
    private long _keptBytes;

    /// <summary>Keeps the object, the newest ones up to the server's byte budget (a load run stores many).</summary>
    private void Keep(string name, string temp, StoredObject stored)
    {
        var path = Path.Combine(directory, $"object-{Interlocked.Increment(ref _sequence)}");
        File.Move(temp, path);
        stored = stored with { Path = path };
        if (_objects.TryGetValue(name, out var old)) TryDelete(old.Path);
        _objects[name] = stored;
        _order.Enqueue((name, stored.Size));
        Interlocked.Add(ref _keptBytes, stored.Size);
        while (Interlocked.Read(ref _keptBytes) > options.KeepBytes && _order.Count > 1
            && _order.TryDequeue(out var oldest))
        {
            Interlocked.Add(ref _keptBytes, -oldest.Size);
            if (oldest.Name != name && _objects.TryRemove(oldest.Name, out var gone)) TryDelete(gone.Path);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }

    private static Task AnswerStoredAsync(HttpContext context, string provider, string bucket, string key,
        string etag, string sha256, long size, Dictionary<string, string> fields)
    {
        var response = context.Response;
        if (provider == "qiniu")
            return response.WriteAsJsonAsync(new { hash = sha256, key, fsize = size, bucket });
        var location = $"{context.Request.Scheme}://{context.Request.Host}/{provider}/{bucket}/"
            + string.Join('/', key.Split('/').Select(Uri.EscapeDataString));
        response.Headers.ETag = etag;
        response.Headers.Location = location;
        switch (fields.GetValueOrDefault("success_action_status"))
        {
            case "200":
                response.StatusCode = 200;
                return Task.CompletedTask;
            case "201":
                response.StatusCode = 201;
                response.ContentType = "application/xml";
                return response.WriteAsync("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + new XElement(
                    "PostResponse", new XElement("Location", location), new XElement("Bucket", bucket),
                    new XElement("Key", key), new XElement("ETag", etag)).ToString(SaveOptions.DisableFormatting));
            default:
                response.StatusCode = 204;
                return Task.CompletedTask;
        }
    }

    private static Task RefuseAsync(HttpContext context, string provider, StorageRefusal refusal)
    {
        context.Response.StatusCode = refusal.Status;
        if (provider == "qiniu") return context.Response.WriteAsJsonAsync(new { error = refusal.Message });
        context.Response.ContentType = "application/xml";
        return context.Response.WriteAsync(Error(refusal.Code, refusal.Message));
    }

    private static string Error(string code, string message) =>
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + new XElement("Error", new XElement("Code", code),
            new XElement("Message", message), new XElement("RequestId", Guid.NewGuid().ToString("N")[..16]))
            .ToString(SaveOptions.DisableFormatting);
}
