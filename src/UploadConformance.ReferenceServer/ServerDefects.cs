namespace UploadConformance.ReferenceServer;

/// <summary>Behaviours the reference server can be told to have, each one seen in real upload backends,
/// so tests (and users evaluating the suite) can see how the catalog grades it: most are bugs it must
/// fail; html-errors and refuse-dangerous-names are safe but imperfect (non-strict); accept-long-boundaries
/// is a lenient reading (non-strict) and decode-base64-parts a lawful one (informational).</summary>
[Flags]
public enum ServerDefects
{
    None = 0,
    /// <summary>Stores every file one byte short: silent truncation, wrong stored data.</summary>
    TruncateFiles = 1 << 0,
    /// <summary>Answers 500 to a malformed body instead of 400, as multer via Express and ASP.NET MVC do.</summary>
    Status500OnMalformed = 1 << 1,
    /// <summary>Loses fields named like <c>a[b]</c> or <c>a.b</c>: nested formData dropped.</summary>
    DropNestedFields = 1 << 2,
    /// <summary>Leaves <c>.partial</c> files behind when a client aborts or times out: a disk leak.</summary>
    KeepPartialFiles = 1 << 3,
    /// <summary>Never answers a body that ends without its closing boundary: a hang.</summary>
    HangOnTruncatedBody = 1 << 4,
    /// <summary>Reads filenames as Latin-1, as busboy does by default: Chinese names garbled.</summary>
    Latin1Filenames = 1 << 5,
    /// <summary>Accepts files over its declared limit.</summary>
    IgnoreLimits = 1 << 6,
    /// <summary>Refuses with HTML error pages, as nginx does, instead of JSON.</summary>
    HtmlErrors = 1 << 7,
    /// <summary>Reads field names as Latin-1, as busboy does by default: Chinese field names garbled.</summary>
    Latin1FieldNames = 1 << 8,
    /// <summary>Loses fields whose names are not ASCII, and says nothing.</summary>
    DropNonAsciiFields = 1 << 9,
    /// <summary>Stores the first file of a request, drops the others, and answers 200.</summary>
    KeepFirstFileOnly = 1 << 10,
    /// <summary>The process exits on a body without its closing boundary, as a busboy app without an
    /// error handler on the file stream does. For <c>serve</c> under a supervisor: it kills whatever
    /// process hosts it.</summary>
    CrashOnTruncatedBody = 1 << 11,
    /// <summary>Answers with a URL made of the client's filename, as a server storing under it would:
    /// a client path on disk.</summary>
    StoreUnderClientName = 1 << 12,
    /// <summary>Refusals carry a stack trace, as frameworks in development mode show.</summary>
    LeakStackTraces = 1 << 13,
    /// <summary>Closes the connection without an answer when a request has no file.</summary>
    ResetWhenNoFile = 1 << 14,
    /// <summary>Refuses fields named __proto__ or constructor with a 400: deliberate, and safe.</summary>
    RefuseDangerousNames = 1 << 15,
    /// <summary>Decodes a part sent with Content-Transfer-Encoding: base64, as MIME says: a lawful reading.</summary>
    DecodeBase64Parts = 1 << 16,
    /// <summary>Takes boundaries over RFC 2046's 70 characters, as most parsers do: a lenient reading.</summary>
    AcceptLongBoundaries = 1 << 17,
    /// <summary>Answers 403 Forbidden (text/plain) to every request with the mini-program's fixed Referer
    /// https://servicewechat.com/…, as Sinatra's Rack::Protection does by default: no real upload gets in.</summary>
    RefuseWechatReferer = 1 << 18,
    /// <summary>Refuses bodies over 1 MiB with nginx's HTML 413 page, as client_max_body_size's default does
    /// in front of an app: every ordinary photo refused.</summary>
    BodyLimit_1m = 1 << 19,
    /// <summary>Answers 200 {"code":500,"msg":"upload failed"} to a file over 2 MiB and keeps nothing:
    /// a business error inside a success status.</summary>
    BusinessErrorOver_2mib = 1 << 20,
    /// <summary>Its buckets store a form whatever its signature says: anyone can write to them.</summary>
    AcceptAnySignature = 1 << 21,
    /// <summary>Its buckets store a file over the policy's content-length-range.</summary>
    IgnoreContentLengthRange = 1 << 22,
    /// <summary>Its buckets take a policy (or a Qiniu token) after its expiration.</summary>
    IgnoreExpiration = 1 << 23,
    /// <summary>Its login-guarded upload (<c>/flow/image</c>) stores a file sent with no token, or one it never
    /// issued.</summary>
    UploadWithoutToken = 1 << 24,
}

public static class ServerDefectNames
{
    /// <summary>The --defect name: words in kebab case, an underscore before a size (BodyLimit_1m is
    /// body-limit-1m).</summary>
    public static string Name(ServerDefects defect) =>
        string.Concat(
        defect.ToString().Select((ch, i) => ch == '_' ? "-"
            : i > 0 && char.IsUpper(ch) ? "-" + char.ToLowerInvariant(ch)
            : char.ToLowerInvariant(ch).ToString()));

    public static IEnumerable<ServerDefects> All => Enum.GetValues<ServerDefects>().Where(d => d != ServerDefects.None);

    /// <summary>The flags of <paramref name="defects"/> as --defect names them: "truncate-files,
    /// leak-stack-traces".</summary>
    public static string Names(ServerDefects defects) =>
        string.Join(", ", All.Where(d => defects.HasFlag(d)).Select(Name));

    /// <summary>Parses "truncate-files,hang-on-truncated-body".</summary>
    public static ServerDefects Parse(string list)
    {
        var result = ServerDefects.None;
        foreach (var name in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var match = All.FirstOrDefault(d => Name(d) == name);
            if (match == ServerDefects.None)
                throw new ArgumentException($"no defect '{name}' (defects: {string.Join(", ", All.Select(Name))})");
            result |= match;
        }
        return result;
    }
}
