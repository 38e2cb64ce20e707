using UploadConformance.Verification;
using UploadConformance.Wire;
using static UploadConformance.Suites.Catalog.CatalogContext;

namespace UploadConformance.Suites.Catalog;

/// <summary>Bodies no well-behaved client sends but broken clients, proxies and attackers do, written
/// byte for byte through a raw socket. Each is the trigger of a known parser crash, hang or silent
/// data loss (research: S1–S19, C1–C22). Right is a fast 400; never a 5xx, a hang or a kept file.</summary>
public static class MalformedWireSuite
{
    public const string Name = "wire";

    public static IEnumerable<UploadCase> Build(CatalogContext c)
    {
        var cases = new CaseList(Name);
        Delimiters(cases, c, c.Field);
        PartHeaders(cases, c, c.Field);
        Framing(cases, c, c.Field);
        Names(cases, c, c.Field);
        return cases;
    }

    private static readonly byte[] Jpeg = SmallJpegLike(2000, 3);
    private static readonly int[] Bad = Statuses.BadRequest;
    private const RequestForm Malformed = RequestForm.Malformed, WellFormedForm = RequestForm.WellFormed;

    private static RawRequest Multipart(byte[] body, string boundary = "x") =>
        RawRequest.Multipart($"multipart/form-data; boundary={boundary}", body);

    /// <summary>Most parsers read these leniently; storing exactly what was sent that way is non-strict.</summary>
    private static Expectation Lenient(string why) => new Expectation.Refused(Bad, why);

    /// <summary>A body that may have been cut anywhere: accepting it is how truncated files get stored.</summary>
    private static Expectation Cut(string why) => new Expectation.Refused(Bad, why, OnAccept.Fail);

    /// <summary>Where parts begin and end: line endings, closing boundaries, boundary lengths.</summary>
    private static void Delimiters(CaseList cases, CatalogContext c, string f)
    {
        cases.Raw("line-endings.lf-only", "LF-only line endings: accepted consistently or a 400, never a crash (C1)",
            Multipart(Bytes($"--x\nContent-Disposition: form-data; name=\"id\"\n\ntest\n--x\nContent-Disposition: "
            + $"form-data; name=\"{f}\"; filename=\"tmp_raw.jpg\"\nContent-Type: image/jpeg\n\n", Jpeg, "\n--x--\n")),
            new Expectation.StoredOrRefused(Bad), Malformed, c.WellFormedFiles(Jpeg));
        cases.Raw("closing-boundary.missing",
            "the body ends without its closing boundary: 400 and no partial file (C2, S2)",
            Multipart(
            Bytes($"--x\r\nContent-Disposition: form-data; name=\"{f}\"; filename=\"cut.jpg\"\r\nContent-Type: "
            + $"image/jpeg\r\n\r\n", Jpeg)),
            Cut("a truncated body"), Malformed, c.FileOnly(Jpeg, "cut.jpg"));
        // The file part itself ends at a real delimiter, so nothing in it can have been cut: a server
        // that stores exactly that file is lenient, one that keeps the mangled tail in the file fails.
        cases.Raw("closing-boundary.mangled", "the closing boundary mangled to --x- (S2)",
            Multipart(
            Bytes($"--x\r\nContent-Disposition: form-data; name=\"{f}\"; filename=\"m.jpg\"\r\nContent-Type: "
            + $"image/jpeg\r\n\r\n", Jpeg, "\r\n--x-\r\n")),
            Lenient("a body without a real closing boundary"), Malformed, c.FileOnly(Jpeg, "m.jpg"));
        var b100 = new string('q', 100);
        cases.Raw("boundary.over-70", "a 100-character boundary (RFC 2046 allows 70; most parsers accept it) (C8)",
            Multipart(WellFormed(b100, f, Jpeg), b100), Lenient("a boundary over 70 characters"), Malformed,
            c.WellFormedFiles(Jpeg));
        var b252 = new string('z', 252);
        cases.Raw("boundary.252", "a boundary of exactly 252 characters, which stuck @fastify/busboy's event loop (S7)",
            Multipart(WellFormed(b252, f, Jpeg), b252), Lenient("a boundary over 70 characters"), Malformed,
            c.WellFormedFiles(Jpeg));
    }

    /// <summary>Part headers: folded, missing, nameless, misspelt, or named like a prototype.</summary>
    private static void PartHeaders(CaseList cases, CatalogContext c, string f)
    {
        cases.Raw("header.obs-fold",
            "a part header continued on a line starting with a space, which killed dicer (S1, C13)",
            Multipart(Bytes(
            $"--x\r\nContent-Disposition: form-data;\r\n name=\"{f}\"; filename=\"fold.jpg\"\r\nContent-Type: "
            + $"image/jpeg\r\n\r\n", Jpeg, "\r\n--x--\r\n")),
            Lenient("an obsolete folded header"), Malformed,
            new PlannedFiles([(f, FromBytes(Jpeg, "fold.jpg", "image/jpeg"))], []));
        cases.Raw("part.no-disposition",
            "a part without Content-Disposition, which made Werkzeug drop the whole form (C11)",
            Multipart(Bytes("--x\r\nContent-Type: text/plain\r\n\r\norphan\r\n", WellFormed("x", f, Jpeg))),
            Lenient("a part it cannot name"), Malformed, c.WellFormedFiles(Jpeg));
        cases.Raw("part.no-name", "a part whose Content-Disposition has no name (C12)",
            Multipart(Bytes("--x\r\nContent-Disposition: form-data\r\n\r\nnameless\r\n", WellFormed("x", f, Jpeg))),
            Lenient("a part without a name"), Malformed, c.WellFormedFiles(Jpeg));
        cases.Raw("part.empty-name", "name=\"\" on a file part, which crashed multer (S3)",
            Multipart(
            Bytes("--x\r\nContent-Disposition: form-data; name=\"\"; filename=\"e.jpg\"\r\nContent-Type: "
            + "image/jpeg\r\n\r\n", Jpeg, "\r\n--x--\r\n")),
            Lenient("a file part with an empty name"), Malformed);
        cases.Raw("part.not-form-data", "Content-Disposition: attachment instead of form-data",
            Multipart(
            Bytes($"--x\r\nContent-Disposition: attachment; name=\"{f}\"; filename=\"a.jpg\"\r\nContent-Type: "
            + $"image/jpeg\r\n\r\n", Jpeg, "\r\n--x--\r\n")),
            Lenient("a part that is not form-data"), Malformed,
            new PlannedFiles([(f, FromBytes(Jpeg, "a.jpg", "image/jpeg"))], []));
        cases.Raw("part.header-no-colon", "a part header line with no colon",
            Multipart(
            Bytes($"--x\r\nContent-Disposition: form-data; name=\"{f}\"; filename=\"a.jpg\"\r\nthis is not a "
            + $"header\r\n\r\n", Jpeg, "\r\n--x--\r\n")),
            Lenient("a malformed part header"), Malformed, c.FileOnly(Jpeg, "a.jpg", contentType: ""));
        cases.Raw("part.no-content-type",
            "a file part without its own Content-Type: still a file (formidable took it as a field) (C19)",
            Multipart(Bytes($"--x\r\nContent-Disposition: form-data; "
            + $"name=\"id\"\r\n\r\ntest\r\n--x\r\nContent-Disposition: form-data; name=\"{f}\"; "
            + $"filename=\"plain.jpg\"\r\n\r\n", Jpeg, "\r\n--x--\r\n")),
            new Expectation.Stored(CheckContentType: false), WellFormedForm, c.WellFormedFiles(Jpeg, "plain.jpg"));
        cases.Raw("part.lowercase-headers", "part header names in lower case (header names are case-insensitive)",
            Multipart(Bytes($"--x\r\ncontent-disposition: form-data; "
            + $"name=\"id\"\r\n\r\ntest\r\n--x\r\ncontent-disposition: form-data; name=\"{f}\"; "
            + $"filename=\"tmp_raw.jpg\"\r\ncontent-type: image/jpeg\r\n\r\n", Jpeg, "\r\n--x--\r\n")),
            Expectation.StoredExactly, WellFormedForm, c.WellFormedFiles(Jpeg));
        cases.Raw("part.proto-header", "a part header named __proto__, which threw in @fastify/busboy (S7)",
            Multipart(Bytes($"--x\r\nContent-Disposition: form-data; name=\"id\"\r\n__proto__: "
            + $"polluted\r\n\r\ntest\r\n--x\r\nContent-Disposition: form-data; name=\"{f}\"; "
            + $"filename=\"tmp_raw.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n", Jpeg, "\r\n--x--\r\n")),
            Expectation.StoredExactly, WellFormedForm, c.WellFormedFiles(Jpeg));
    }

    /// <summary>What surrounds the parts: preamble and epilogue, Content-Type parameters, transfer encodings and a
    /// Content-Length that lies.</summary>
    private static void Framing(CaseList cases, CatalogContext c, string f)
    {
        cases.Raw("preamble.crlf-flood",
            "2 MiB of CRLF before the first boundary: bounded time (python-multipart CVE-2024-53981) (S10)",
            new RawRequest
            {
                Headers = [new("Content-Type", "multipart/form-data; boundary=x"),
                    new("Content-Length", (2 * (1 << 20) + WellFormed("x", f, Jpeg).Length).ToString())],
                Body = RawBody.Repeated([], "\r\n"u8.ToArray(), 1 << 20, WellFormed("x", f, Jpeg)),
            },
            new Expectation.StoredOrRefused(Statuses.BadOrTooLarge), Malformed, c.WellFormedFiles(Jpeg));
        cases.Raw("preamble-and-epilogue",
            "text before the first boundary and after the last, which RFC 2046 allows (C15)",
            Multipart(Bytes("This is a preamble.\r\n", WellFormed("x", f, Jpeg), "This is an epilogue.\r\n")),
            Expectation.StoredExactly, WellFormedForm, c.WellFormedFiles(Jpeg));
        cases.Raw("content-type.backslash-flood",
            "a Content-Type parameter of 64 backslashes, a ReDoS in python-multipart (S9): answered fast",
            RawRequest.Multipart($"multipart/form-data; boundary=x; !=\"{new string('\\', 64)}",
            WellFormed("x", f, Jpeg)),
            new Expectation.StoredOrRefused([400, 415]), Malformed, c.WellFormedFiles(Jpeg));
        var base64 = System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(Jpeg));
        cases.Raw("transfer-encoding.base64",
            "a part with Content-Transfer-Encoding: base64, which looped aiohttp (S19, C17): ignored or refused",
            Multipart(Bytes($"--x\r\nContent-Disposition: form-data; "
            + $"name=\"id\"\r\n\r\ntest\r\n--x\r\nContent-Disposition: form-data; name=\"{f}\"; "
            + $"filename=\"tmp_raw.jpg\"\r\nContent-Type: image/jpeg\r\nContent-Transfer-Encoding: base64\r\n\r\n",
            base64, "\r\n--x--\r\n")),
            new Expectation.StoredOrRefused(Bad,
            Lawful: new LawfulReading("decoded the base64 part as MIME says", c.WellFormedFiles(Jpeg))),
            WellFormedForm, c.WellFormedFiles(base64));
        cases.Raw("content-length.larger",
            "Content-Length larger than the body, then the client stops sending: a 400 or a close, no hang, nothing "
            + "kept",
            RawRequest.Multipart("multipart/form-data; boundary=x", WellFormed("x", f, Jpeg),
            WellFormed("x", f, Jpeg).Length + 5000) with { HalfCloseAfterBody = true },
            new Expectation.Refused(Bad, "a complete body under a larger Content-Length", ClosingIsFine: true),
            Malformed, c.WellFormedFiles(Jpeg));
        cases.Raw("content-length.smaller",
            "Content-Length smaller than the body: the cut body is refused, the rest is not taken as a request",
            RawRequest.Multipart("multipart/form-data; boundary=x", WellFormed("x", f, Jpeg),
            WellFormed("x", f, Jpeg).Length - 100),
            Cut("a body cut by its Content-Length"), Malformed, c.WellFormedFiles(Jpeg));
    }

    /// <summary>Names the standards read one way and parsers another.</summary>
    private static void Names(CaseList cases, CatalogContext c, string f)
    {
        cases.Raw("filename-and-filename-star",
            "both filename and filename* (RFC 7578 §4.2 forbids filename*): which one the server kept (C4, S11)",
            Multipart(Bytes($"--x\r\nContent-Disposition: form-data; name=\"{f}\"; filename=\"plain.jpg\"; "
            + $"filename*=UTF-8''%E6%8A%A5%E5%91%8A.jpg\r\nContent-Type: image/jpeg\r\n\r\n", Jpeg, "\r\n--x--\r\n")),
            new Expectation.Observed("filename=\"plain.jpg\" with filename*=报告.jpg"), Malformed,
            new PlannedFiles([(f, FromBytes(Jpeg, "plain.jpg", "image/jpeg"))], []));
        cases.Raw("name.semicolon-quoted", "name=\"a;b\" kept whole (cpp-httplib split on ';') (C16)",
            Multipart(
            Bytes("--x\r\nContent-Disposition: form-data; name=\"a;b\"\r\n\r\nv\r\n", WellFormed("x", f, Jpeg))),
            Expectation.StoredExactly, WellFormedForm,
            new PlannedFiles(c.WellFormedFiles(Jpeg).Files, [new("a;b", "v"), new("id", "test")]));
    }
}
