using System.Globalization;
using UploadConformance.Verification;
using UploadConformance.Wire;

namespace UploadConformance.Suites.Catalog;

/// <summary>The declared limits, from just under to just over: a clean JSON 413 above them, never an
/// HTML page, a 500 or silent truncation; and the floods (thousands of parts, huge part headers).
/// Each case works for any declared size, a few bytes to many GiB.</summary>
public static class LimitsSuite
{
    public const string Name = "limits";

    public static IEnumerable<UploadCase> Build(CatalogContext c)
    {
        var cases = new CaseList(Name);
        var limits = c.Limits;
        var tooLarge = new[] { limits.OverLimitStatus, 413 }.Distinct().ToArray();
        var stored = Expectation.StoredExactly;
        // A file within the declared limits is what the endpoint promises to take: refusing it fails.
        var ordinary = Expectation.OrdinaryUpload;

        // Each case expects what any case expects of its request: the runner grades it against the
        // declared limits (see DeclaredLimitCheck), so "over" cases expect a limit refusal by the same rule.
        if (limits.MaxFileBytes is { } maxFile)
        {
            // Margins that fit any declared size, from a few bytes to many GiB.
            var under = Math.Min(64L << 10, Math.Max(1, maxFile / 16));
            var over = Math.Min(1L << 20, Math.Max(1, maxFile / 16));
            cases.Add("file.just-under", $"a file {under} bytes under the declared {maxFile} bytes is stored",
                c.Plan(c.Generated(Math.Max(0, maxFile - under))), ordinary);
            cases.Add("file.over",
                $"a file {over} bytes over the declared {maxFile} bytes: a JSON {limits.OverLimitStatus}, nothing kept",
                c.Plan(c.Generated(maxFile + over)), stored);
            cases.Add("file.over-chunked", "the same file sent chunked, so only counting can catch it",
                c.Plan(c.Generated(maxFile + over), wire: new WireOptions { Framing = Framing.Chunked }), stored);
            cases.Raw("request.content-length-over",
                "a Content-Length far over the limit: refused before the body is read",
                new RawRequest
                {
                    Headers =
                    [
                        new("Content-Type", "multipart/form-data; boundary=x"),
                        new("Content-Length", (maxFile * 4 + (1 << 20)).ToString(CultureInfo.InvariantCulture)),
                    ],
                    Body = RawBody.Of(CatalogContext.WellFormed("x", c.Field, CatalogContext.SmallJpegLike(1000, 1))),
                    // A server refusing on the headers alone answers at once; bytes sent into a socket it
                    // is closing would turn its answer into a reset.
                    WaitBeforeBody = TimeSpan.FromSeconds(2),
                    HalfCloseAfterBody = true,
                },
                // A server reading the small body up to its closing boundary stored no byte over any limit:
                // storing exactly that is a lenient reading, not a limit ignored (Django does so).
                new Expectation.Refused(tooLarge, "a declared length over the limit", OnAccept.NonStrictIfExact,
                ClosingIsFine: true), RequestForm.Malformed);
        }
        else
        {
            cases.Add("file.large",
                "no file limit declared in the profile: a 30 MiB file is stored (a refusal says which limit to "
                + "declare)",
                c.Plan(c.Generated(30 << 20)), ordinary);
        }

        // The same edges for a declared body limit (Flask's MAX_CONTENT_LENGTH, Go's MaxBytesReader), in
        // bytes of the whole multipart body: the file is sized so the body lands where it should.
        if (limits.MaxRequestBytes is { } maxRequest)
        {
            var overhead = c.Plan(c.Generated(0)).BuildBody().Length;
            var under = Math.Min(64L << 10, Math.Max(1, maxRequest / 16));
            var over = Math.Min(1L << 20, Math.Max(1, maxRequest / 16));
            if (maxRequest - under - overhead >= 0)
                cases.Add("request.just-under",
                    $"a body {under} bytes under the declared {maxRequest}-byte request limit is stored",
                    c.Plan(c.Generated(maxRequest - under - overhead)), ordinary);
            var overFile = Math.Max(0, maxRequest + over - overhead);
            cases.Add("request.over", $"a body {over} bytes over the declared {maxRequest}-byte request limit: "
                + $"a JSON {limits.OverLimitStatus}, nothing kept", c.Plan(c.Generated(overFile)), stored);
            cases.Add("request.over-chunked", "the same body sent chunked, so only counting can catch it",
                c.Plan(c.Generated(overFile), wire: new WireOptions { Framing = Framing.Chunked }), stored);
        }

        var partsFile = CatalogContext.SmallJpegLike(100, 2);
        var fields1500 = Enumerable.Range(0, 1500).Select(i => new Requests.FormField($"f{i}", $"v{i}")).ToList();
        cases.Raw("parts.1500-fields", "1,500 small fields plus a file (Werkzeug, Tomcat, Go cap parts near 1,000)",
            Parts(c, 1500, i => $"Content-Disposition: form-data; name=\"f{i}\"\r\n\r\nv{i}", partsFile), stored,
            RequestForm.WellFormed,
            Sent(c, partsFile, fields1500));
        cases.Raw("parts.5000-empty", "5,000 empty parts: bounded CPU and memory, refused or handled",
            Parts(c, 5000, _ => "Content-Disposition: form-data; name=\"e\"\r\n\r\n", partsFile), stored,
            RequestForm.WellFormed,
            Sent(c, partsFile, Enumerable.Repeat(new Requests.FormField("e", ""), 5000)));

        // The file first: a parser that stops taking fields at its limit (PHP's max_input_vars) has the
        // file already, so only the count of fields it hands on can tell the dropped ones from a refusal.
        cases.Raw("parts.1500-fields-after-file",
            "a file, then 1,500 small fields: every field stored or the request refused, none dropped silently",
            RawRequest.Multipart("multipart/form-data; boundary=x", CatalogContext.Bytes(
                $"--x\r\nContent-Disposition: form-data; name=\"{c.Field}\"; filename=\"tmp_raw.jpg\"\r\n"
                + "Content-Type: image/jpeg\r\n\r\n", partsFile, "\r\n",
                string.Concat(fields1500.Select(f =>
                    $"--x\r\nContent-Disposition: form-data; name=\"{f.Name}\"\r\n\r\n{f.Value}\r\n")),
                "--x--\r\n")),
            stored, RequestForm.WellFormed, new PlannedFiles(c.FileOnly(partsFile, "tmp_raw.jpg").Files, fields1500));

        cases.Raw("header.huge", "one part header of 64 KiB: 431 or 400, not memory growth",
            RawRequest.Multipart("multipart/form-data; boundary=x", CatalogContext.Bytes(
                "--x\r\nContent-Disposition: form-data; name=\"a\"\r\nX-Padding: ", new string('p', 64 << 10),
                "\r\n\r\nv\r\n--x--\r\n")),
            new Expectation.Refused(Statuses.HeadersTooLarge, "a 64 KiB part header"), RequestForm.Malformed);

        var fieldOver = (limits.MaxFieldBytes ?? (2 << 20))
            + Math.Min(1 << 20, Math.Max(1, (limits.MaxFieldBytes ?? 0) / 16));
        cases.Add("field.over",
            $"a text field of {fieldOver} bytes, over "
            + $"{(limits.MaxFieldBytes is null ? "2 MiB" : "the declared field limit")}: refused, not buffered",
            c.Plan(c.Image(Payloads.ImageSpec.CompressedAndroid),
            new Requests.FormValue.Object([new("blob", new string('y', fieldOver))])), stored);
        return cases;
    }

    private static RawRequest Parts(CatalogContext c, int count, Func<int, string> part, byte[] file)
    {
        var head = CatalogContext.Bytes(string.Concat(Enumerable.Range(0, count).Select(i => $"--x\r\n{part(i)}\r\n")));
        return RawRequest.Multipart("multipart/form-data; boundary=x",
            CatalogContext.Bytes(head, CatalogContext.WellFormed("x", c.Field, file)));
    }

    /// <summary>The fields before the well-formed tail, then the tail's own field and file.</summary>
    private static PlannedFiles Sent(CatalogContext c, byte[] file, IEnumerable<Requests.FormField> fields)
    {
        var tail = c.WellFormedFiles(file);
        return new PlannedFiles(tail.Files, [.. fields, .. tail.Fields]);
    }
}
