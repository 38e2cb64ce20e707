using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace UploadConformance.ReferenceServer;

/// <summary>A mini-program's own backend, as the upload flows need one: <c>POST /flow/login</c> gives a
/// session token for a <c>wx.login</c> code; <c>GET /flow/credential/{provider}</c> signs a POST form for
/// this server's buckets (<see cref="StorageEndpoint"/>) with the fake keys, as a backend does with the
/// providers' SDKs; <c>POST /flow/confirm</c> checks that the object it is told about was stored with that
/// size and sha256; <c>POST /flow/image</c> is the upload endpoint behind the token. Every call but the login
/// needs <c>Authorization: Bearer</c> with a token it issued and that has not expired.</summary>
public sealed class FlowBackend(ReferenceServerOptions options, StorageEndpoint storage, UploadEndpoint upload)
{
    public const string Bucket = "uc-bucket";
    public const string Prefix = "uploads/";

    private readonly ConcurrentDictionary<string, DateTimeOffset> _tokens = new(StringComparer.Ordinal);
    private readonly DefectPolicy _defects = new(options.Defects);

    public IResult Login(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("code", out var code)
            || code.ValueKind != JsonValueKind.String || code.GetString()!.Length == 0)
            return Results.Json(new { code = 400, msg = "a wx.login code is required" }, statusCode: 400);
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        _tokens[token] = DateTimeOffset.UtcNow + options.TokenLifetime;
        return Results.Json(new
        {
            code = 0, data = new { token, expiresIn = (int)options.TokenLifetime.TotalSeconds },
        });
    }

    /// <summary>Null when the request carries a live token this backend issued; else the 401 to answer.</summary>
    public IResult? Unauthorized(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header[7..].Trim() : "";
        if (_tokens.TryGetValue(token, out var expires) && expires > DateTimeOffset.UtcNow) return null;
        return Results.Json(new { code = 401, msg = token.Length == 0 ? "login required" : "session expired" },
            statusCode: 401);
    }

    public async Task UploadAsync(HttpContext context)
    {
        if (!_defects.SkipsTokenCheck && Unauthorized(context.Request) is { } refused)
        {
            await refused.ExecuteAsync(context).ConfigureAwait(false);
            return;
        }
        await upload.HandleAsync(context).ConfigureAwait(false);
    }

    /// <summary>A signed POST form for one upload, in the shape each provider's samples return it.</summary>
    public IResult Credential(HttpRequest request, string provider)
    {
        if (Unauthorized(request) is { } refused) return refused;
        var host = $"{request.Scheme}://{request.Host}";
        var now = DateTimeOffset.UtcNow;
        var expires = now + options.CredentialLifetime;
        var max = options.MaxFileBytes;
        var expiration = expires.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'.000Z'", CultureInfo.InvariantCulture);
        switch (provider)
        {
            case "s3":
            {
                var credential =
                    $"{StorageKeys.S3Id}/{StorageSignatures.Day(now)}/{StorageKeys.Region}/s3/aws4_request";
                var date = StorageSignatures.AmzDate(now);
                var policy = Base64(new
                {
                    expiration,
                    conditions = new object[]
                    {
                        new object[] { "content-length-range", 0, max }, new[] { "starts-with", "$key", Prefix },
                        new { bucket = Bucket },
                        new Dictionary<string, string> { ["X-Amz-Algorithm"] = "AWS4-HMAC-SHA256" },
                        new Dictionary<string, string> { ["X-Amz-Credential"] = credential },
                        new Dictionary<string, string> { ["X-Amz-Date"] = date },
                        new[] { "starts-with", "$x-amz-meta-app", "" },
                        new[] { "starts-with", "$success_action_status", "" },
                    },
                });
                return Results.Json(new
                {
                    url = $"{host}/s3/{Bucket}",
                    fields = new Dictionary<string, string>
                    {
                        ["bucket"] = Bucket, ["X-Amz-Algorithm"] = "AWS4-HMAC-SHA256",
                        ["X-Amz-Credential"] = credential,
                        ["X-Amz-Date"] = date, ["key"] = Prefix + "${filename}", ["Policy"] = policy,
                        ["X-Amz-Signature"] = StorageSignatures.S3V4(StorageKeys.S3Secret, StorageSignatures.Day(now),
                            StorageKeys.Region, policy),
                    },
                });
            }
            case "oss":
            {
                var policy = Base64(new
                {
                    expiration,
                    conditions = new object[]
                    {
                        new object[] { "content-length-range", 0, max }, new[] { "starts-with", "$key", Prefix },
                    },
                });
                return Results.Json(new
                {
                    accessid = StorageKeys.OssId, host = $"{host}/oss/{Bucket}", policy,
                    signature = StorageSignatures.OssV1(StorageKeys.OssSecret, policy),
                    expire = expires.ToUnixTimeSeconds(), dir = Prefix,
                });
            }
            case "cos":
            {
                var keyTime = $"{now.ToUnixTimeSeconds() - 1};{expires.ToUnixTimeSeconds()}";
                var json = JsonSerializer.Serialize(new
                {
                    expiration,
                    conditions = new object[]
                    {
                        new object[] { "content-length-range", 0, max }, new[] { "starts-with", "$key", Prefix },
                        new Dictionary<string, string> { ["q-sign-algorithm"] = "sha1" },
                        new Dictionary<string, string> { ["q-ak"] = StorageKeys.CosId },
                        new Dictionary<string, string> { ["q-sign-time"] = keyTime },
                    },
                });
                return Results.Json(new
                {
                    host = $"{host}/cos/{Bucket}", dir = Prefix,
                    policy = Convert.ToBase64String(Encoding.UTF8.GetBytes(json)),
                    qSignAlgorithm = "sha1", qAk = StorageKeys.CosId, qKeyTime = keyTime,
                    qSignature = StorageSignatures.Cos(StorageKeys.CosSecret, keyTime, json),
                });
            }
            case "qiniu":
            {
                var putPolicy = JsonSerializer.Serialize(new
                {
                    scope = $"{Bucket}:{Prefix}", isPrefixalScope = 1, deadline = expires.ToUnixTimeSeconds(),
                    fsizeLimit = max,
                });
                return Results.Json(new
                {
                    token = StorageSignatures.QiniuToken(StorageKeys.QiniuId, StorageKeys.QiniuSecret, putPolicy),
                    host = $"{host}/qiniu", dir = Prefix,
                });
            }
            default:
                return Results.Json(new { code = 404, msg = $"no provider '{provider}' (s3, oss, cos, qiniu)" },
                    statusCode: 404);
        }
    }

    /// <summary>The app telling its backend what it stored: the key, size and sha256 must match the object.</summary>
    public IResult Confirm(HttpRequest request, JsonElement body)
    {
        if (Unauthorized(request) is { } refused) return refused;
        string? Text(string name) => body.ValueKind == JsonValueKind.Object && body.TryGetProperty(name, out var v)
            ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText() : null;
        var key = Text("key");
        if (key is null) return Results.Json(new { code = 400, msg = "key is required" }, statusCode: 400);
        if (storage.Find(key) is not { } stored)
            return Results.Json(new { code = 404, msg = $"no object '{key}'" }, statusCode: 404);
        if (Text("size") is { } size && size != stored.Size.ToString(CultureInfo.InvariantCulture)
            || Text("sha256") is { } sha && sha != stored.Sha256)
            return Results.Json(new { code = 409, msg = "the object differs from what the app says it sent" },
                statusCode: 409);
        return Results.Json(new { code = 0, data = new { key, size = stored.Size, sha256 = stored.Sha256 } });
    }

    private static string Base64(object policy) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(policy)));
}
