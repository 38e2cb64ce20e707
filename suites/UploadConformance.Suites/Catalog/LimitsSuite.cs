using System.Globalization;
using UploadConformance.Verification;
using UploadConformance.Wire;

namespace UploadConformance.Suites.Catalog;

/// <summary>The declared limits, from just under to just over: a clean JSON 413 above them, never an
/// HTML page, a 500 or silent truncation; and the floods (thousands of parts, huge part headers).</summary>
public static class LimitsSuite
{
    public const string Name = "limits";

    public static IEnumerable<UploadCase> Build(CatalogContext c)
    {
        var cases = new CaseList(Name);
        var limits = c.Limits;
        var tooLarge = new[] { limits.OverLimitStatus, 413 }.Distinct().ToArray();

        if (limits.MaxFileBytes is { } maxFile)
        {
            cases.Add("file.just-under", $"a file 64 KiB under the declared {maxFile} bytes is stored",
                c.Plan(c.Generated(maxFile - (64 << 10))), Expectation.StoredExactly);
            cases.Add("file.over", $"a file 1 MiB over the declared {maxFile} bytes: a JSON {limits.OverLimitStatus}, nothing kept",
                c.Plan(c.Generated(maxFile + (1 << 20))), new Expectation.Refused(tooLarge, "a file over the declared limit"), canHurt: true);
            cases.Add("file.over-chunked", "the same file sent chunked, so only counting can catch it",
                c.Plan(c.Generated(maxFile + (1 << 20)), wire: new WireOptions { Framing = Framing.Chunked }),
                new Expectation.Refused(tooLarge, "a chunked file over the declared limit"), canHurt: true);
            cases.Raw("request.content-length-over", "a Content-Length far over the limit: refused before the body is read",
                new RawRequest
                {
                    Headers = [new("Content-Type", "multipart/form-data; boundary=x"), new("Content-Length", (maxFile * 4).ToString(CultureInfo.InvariantCulture))],
                    Body = RawBody.Of(CatalogContext.WellFormed("x", c.Field, CatalogContext.SmallJpegLike(1000, 1))),
                    // A server refusing on the headers alone answers at once; bytes sent into a socket it
                    // is closing would turn its answer into a reset.
                    WaitBeforeBody = TimeSpan.FromSeconds(2),
                    HalfCloseAfterBody = true,
                },
                new Expectation.Refused(tooLarge, "a declared length over the limit"));
        }
        else
        {
            cases.Add("file.large", "no file limit declared in the profile: a 30 MiB file, recorded",
                c.Plan(c.Generated(30 << 20)), new Expectation.Observed("no declared file limit"), canHurt: true);
        }

        var partsExpectation = limits.MaxParts is { } maxParts && maxParts < 1500
            ? new Expectation.Refused(tooLarge, $"more parts than the declared {maxParts}")
            : (Expectation)new Expectation.StoredOrRefused(tooLarge);
        var partsFile = CatalogContext.SmallJpegLike(100, 2);
        cases.Raw("parts.1500-fields", "1,500 small fields plus a file (Werkzeug, Tomcat, Go cap parts near 1,000)",
            Parts(c, 1500, i => $"Content-Disposition: form-data; name=\"f{i}\"\r\n\r\nv{i}", partsFile), partsExpectation,
            Sent(c, partsFile, Enumerable.Range(0, 1500).Select(i => new Requests.FormField($"f{i}", $"v{i}"))));
        cases.Raw("parts.5000-empty", "5,000 empty parts: bounded CPU and memory, refused or handled",
            Parts(c, 5000, _ => "Content-Disposition: form-data; name=\"e\"\r\n\r\n", partsFile), partsExpectation,
            Sent(c, partsFile, Enumerable.Repeat(new Requests.FormField("e", ""), 5000)));

        cases.Raw("header.huge", "one part header of 64 KiB: 431 or 400, not memory growth",
            RawRequest.Multipart("multipart/form-data; boundary=x", CatalogContext.Bytes(
                "--x\r\nContent-Disposition: form-data; name=\"a\"\r\nX-Padding: ", new string('p', 64 << 10), "\r\n\r\nv\r\n--x--\r\n")),
            new Expectation.Refused(Statuses.HeadersTooLarge, "a 64 KiB part header"));

        var fieldOver = (limits.MaxFieldBytes ?? (2 << 20)) + (1 << 20);
        cases.Add("field.over", $"a text field of {fieldOver} bytes, over the field limit: refused, not buffered",
            c.Plan(c.Image(Payloads.ImageSpec.CompressedAndroid), new Requests.FormValue.Object([new("blob", new string('y', fieldOver))])),
            limits.MaxFieldBytes is null ? new Expectation.StoredOrRefused(tooLarge) : new Expectation.Refused(tooLarge, "a field over the declared limit"), canHurt: true);
        return cases;
    }

    private static RawRequest Parts(CatalogContext c, int count, Func<int, string> part, byte[] file)
    {
        var head = CatalogContext.Bytes(string.Concat(Enumerable.Range(0, count).Select(i => $"--x\r\n{part(i)}\r\n")));
        return RawRequest.Multipart("multipart/form-data; boundary=x", CatalogContext.Bytes(head, CatalogContext.WellFormed("x", c.Field, file)));
    }

    /// <summary>The fields before the well-formed tail, then the tail's own field and file.</summary>
    private static PlannedFiles Sent(CatalogContext c, byte[] file, IEnumerable<Requests.FormField> fields)
    {
        var tail = c.WellFormedFiles(file);
        return new PlannedFiles(tail.Files, [.. fields, .. tail.Fields]);
    }
}
