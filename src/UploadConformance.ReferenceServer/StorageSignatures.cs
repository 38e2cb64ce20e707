using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace UploadConformance.ReferenceServer;

/// <summary>The fake keys the reference server's buckets and its credential backend share (loopback only;
/// the tests' npm backend signs with the same ones). Each provider's id looks like that provider's.</summary>
public static class StorageKeys
{
    public const string S3Id = "AKIAUCEXAMPLE0000000", S3Secret = "uc-s3-example-secret", Region = "us-east-1";
    public const string OssId = "LTAIUCEXAMPLE000", OssSecret = "uc-oss-example-secret", OssRegion = "cn-hangzhou";
    public const string CosId = "AKIDUCEXAMPLE000", CosSecret = "uc-cos-example-secret";
    public const string QiniuId = "uc-qiniu-access-key", QiniuSecret = "uc-qiniu-secret-key";

    /// <summary>The secret for an access key id, or null for a key this server never issued.</summary>
    public static string? SecretFor(string provider, string id) => (provider, id) switch
    {
        ("s3", S3Id) => S3Secret,
        ("oss", OssId) => OssSecret,
        ("cos", CosId) => CosSecret,
        ("qiniu", QiniuId) => QiniuSecret,
        _ => null,
    };
}

/// <summary>Each provider's signature over a POST form's policy, from its public documentation:
/// S3 SigV4 ("Authenticating Requests: Browser-Based Uploads Using POST"), OSS V1 and V4 ("PostObject"),
/// COS's q-sign over the policy ("POST Object"), and Qiniu's upload token.</summary>
public static class StorageSignatures
{
    /// <summary>S3 SigV4: the signing key derived from the secret, the day, region and service; the
    /// signature is HMAC-SHA256 of the base64 policy, in hex.</summary>
    public static string S3V4(string secret, string day, string region, string policyBase64) =>
        Convert.ToHexStringLower(HmacSha256(DerivedKey("AWS4" + secret, day, region, "s3", "aws4_request"),
            policyBase64));

    /// <summary>OSS V4: as S3's, with Aliyun's prefix and terminator.</summary>
    public static string OssV4(string secret, string day, string region, string policyBase64) =>
        Convert.ToHexStringLower(HmacSha256(DerivedKey("aliyun_v4" + secret, day, region, "oss", "aliyun_v4_request"),
            policyBase64));

    /// <summary>OSS V1: base64 of HMAC-SHA1 of the base64 policy.</summary>
    public static string OssV1(string secret, string policyBase64) =>
        Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(policyBase64)));

    /// <summary>COS: SignKey = HMAC-SHA1(secret, KeyTime) in hex; the signature is HMAC-SHA1(SignKey,
    /// SHA1(policy)) in hex, over the policy's JSON text (not its base64).</summary>
    public static string Cos(string secret, string keyTime, string policyJson)
    {
        var signKey = Convert.ToHexStringLower(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret),
            Encoding.UTF8.GetBytes(keyTime)));
        var stringToSign = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(policyJson)));
        return Convert.ToHexStringLower(HMACSHA1.HashData(Encoding.UTF8.GetBytes(signKey),
            Encoding.UTF8.GetBytes(stringToSign)));
    }

    /// <summary>Qiniu: URL-safe base64 of HMAC-SHA1 of the encoded put policy; the token is
    /// <c>AccessKey:sign:encodedPolicy</c>.</summary>
    public static string QiniuToken(string id, string secret, string putPolicyJson)
    {
        var encoded = UrlSafeBase64(Encoding.UTF8.GetBytes(putPolicyJson));
        return $"{id}:{QiniuSign(secret, encoded)}:{encoded}";
    }

    public static string QiniuSign(string secret, string encodedPolicy) =>
        UrlSafeBase64(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(encodedPolicy)));

    public static string UrlSafeBase64(byte[] bytes) => Convert.ToBase64String(bytes).Replace('+', '-')
        .Replace('/', '_');

    public static byte[]? FromUrlSafeBase64(string text)
    {
        try
        {
            return Convert.FromBase64String(text.Replace('-', '+').Replace('_', '/'));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Compares two signatures in constant time, as a store must.</summary>
    public static bool Same(string expected, string? given) => given is not null
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(given));

    public static string Day(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    public static string AmzDate(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    private static byte[] DerivedKey(string first, params string[] parts)
    {
        var key = Encoding.UTF8.GetBytes(first);
        foreach (var part in parts) key = HmacSha256(key, part);
        return key;
    }

    private static byte[] HmacSha256(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));
}
