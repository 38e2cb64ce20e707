using System.Text;
using Microsoft.AspNetCore.Http;

namespace UploadConformance.ReferenceServer;

/// <summary>The reference server's bugs on purpose (<see cref="ServerDefects"/>), each behind a named
/// hook point of the upload path, so the correct path reads on its own and each defect is one small
/// unit here. With no defects every hook is the identity: take the request, keep the name, store
/// every byte, answer JSON.</summary>
public sealed class DefectPolicy(ServerDefects defects)
{
    private bool Has(ServerDefects defect) => (defects & defect) != 0;

    /// <summary>Before anything is read: a refusal a guard in front of the app gives (Rack::Protection
    /// refusing the mini-program's Referer), or null.</summary>
    public (int Status, string Message)? RefuseOnHeaders(HttpRequest request) =>
        Has(ServerDefects.RefuseWechatReferer)
        && request.Headers.Referer.ToString().Contains("servicewechat.com", StringComparison.OrdinalIgnoreCase)
            ? (StatusCodes.Status403Forbidden, "Forbidden") : null;

    /// <summary>The body limit in force: the configured one, or nginx's 1 MiB default in front.</summary>
    public long RequestLimit(long configured) => Has(ServerDefects.BodyLimit_1m) ? 1L << 20 : configured;

    /// <summary>Whether a bucket stores a form with a wrong signature.</summary>
    public bool AcceptsAnySignature => Has(ServerDefects.AcceptAnySignature);

    /// <summary>Whether a bucket ignores the policy's content-length-range.</summary>
    public bool IgnoresContentLengthRange => Has(ServerDefects.IgnoreContentLengthRange);

    /// <summary>Whether a bucket takes an expired policy or token.</summary>
    public bool IgnoresExpiration => Has(ServerDefects.IgnoreExpiration);

    /// <summary>Whether the login-guarded upload takes a request without a token it issued.</summary>
    public bool SkipsTokenCheck => Has(ServerDefects.UploadWithoutToken);

    /// <summary>Whether declared limits are enforced at all.</summary>
    public bool EnforcesLimits => !Has(ServerDefects.IgnoreLimits);

    /// <summary>Whether a boundary over RFC 2046's 70 characters is taken.</summary>
    public bool TakesLongBoundaries => Has(ServerDefects.AcceptLongBoundaries);

    /// <summary>A part's name as this server reads it (busboy's Latin-1 default garbles UTF-8).</summary>
    public string FieldName(string name) => Has(ServerDefects.Latin1FieldNames) ? Latin1(name) : name;

    /// <summary>A deliberate refusal of a dangerous field name, or null.</summary>
    public string? RefuseName(string name) =>
        Has(ServerDefects.RefuseDangerousNames) && name is "__proto__" or "constructor" or "prototype"
            ? $"field name '{name}' is not allowed" : null;

    /// <summary>A file part's filename as this server reads it.</summary>
    public string FileName(string name) => Has(ServerDefects.Latin1Filenames) ? Latin1(name) : name;

    /// <summary>Whether a file part is read past, unstored, after <paramref name="stored"/> files.</summary>
    public bool SkipsFile(int stored) => Has(ServerDefects.KeepFirstFileOnly) && stored > 0;

    /// <summary>Whether a part sent with Content-Transfer-Encoding: base64 is decoded, as MIME says.</summary>
    public bool DecodesBase64(string? transferEncoding) => Has(ServerDefects.DecodeBase64Parts)
        && transferEncoding?.Trim().Equals("base64", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>Whether a text field is kept (nested names and non-ASCII names may be lost).</summary>
    public bool KeepsField(string name) =>
        !(Has(ServerDefects.DropNestedFields) && name.IndexOfAny(['[', '.']) >= 0)
        && !(Has(ServerDefects.DropNonAsciiFields) && !Ascii.IsValid(name));

    /// <summary>Whether a request with no file is answered by closing the connection.</summary>
    public bool ResetsWhenNoFile => Has(ServerDefects.ResetWhenNoFile);

    /// <summary>An answer given instead of storing (a business error inside a 200), or null.</summary>
    public object? AnswerInstead(IReadOnlyList<StoredFile> files) =>
        Has(ServerDefects.BusinessErrorOver_2mib) && files.Any(f => f.Size > 2L << 20)
            ? new { code = 500, msg = "upload failed" } : null;

    /// <summary>The URL a stored file is answered with: its id, or the client's own filename.</summary>
    public string FileUrl(string baseUrl, StoredFile file) =>
        Has(ServerDefects.StoreUnderClientName) ? $"{baseUrl}/files/{file.FileName}" : $"{baseUrl}/files/{file.Id}";

    /// <summary>Whether each stored file loses its last byte.</summary>
    public bool TruncatesFiles => Has(ServerDefects.TruncateFiles);

    /// <summary>The status of a malformed body: 400, or 500 as multer via Express answers.</summary>
    public int MalformedStatus => Has(ServerDefects.Status500OnMalformed)
        ? StatusCodes.Status500InternalServerError : StatusCodes.Status400BadRequest;

    /// <summary>What a body that ended before its closing boundary does to the server besides the
    /// refusal: nothing, a crash (the process exits) or a hang until the client goes.</summary>
    public async Task OnTruncatedBodyAsync(HttpContext context, TextWriter? log)
    {
        if (Has(ServerDefects.CrashOnTruncatedBody))
        {
            log?.WriteLine(
                "crash-on-truncated-body: the process exits, as an app with no error handler on the stream does");
            System.Diagnostics.Process.GetCurrentProcess().Kill();
        }
        if (Has(ServerDefects.HangOnTruncatedBody))
        {
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // The client gave up: the hang ends with it.
            }
        }
    }

    /// <summary>Whether partial files of a request that failed are left on disk.</summary>
    public bool KeepsPartialFiles => Has(ServerDefects.KeepPartialFiles);

    /// <summary>Whether a refusal is an HTML page (nginx's, for every status or a 1 MiB body limit's 413).</summary>
    public bool RefusesAsHtml(int status) => Has(ServerDefects.HtmlErrors)
        || Has(ServerDefects.BodyLimit_1m) && status == StatusCodes.Status413PayloadTooLarge;

    /// <summary>A JSON refusal's error text: the message, or the message and the server's stack.</summary>
    public string ErrorText(string message) => Has(ServerDefects.LeakStackTraces)
        ? $"{message}\n   at UploadConformance.ReferenceServer.UploadEndpoint.ReceiveAsync(HttpContext context) in "
          + "/src/UploadEndpoint.cs:line 97"
          + "\n   at UploadConformance.ReferenceServer.UploadEndpoint.HandleAsync(HttpContext context) in "
          + "/src/UploadEndpoint.cs:line 31"
        : message;

    private static string Latin1(string text) => Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(text));
}
