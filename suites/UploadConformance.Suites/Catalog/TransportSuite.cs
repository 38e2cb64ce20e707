using System.Globalization;
using UploadConformance.Payloads;
using UploadConformance.Verification;
using UploadConformance.Wire;
using static UploadConformance.Suites.Catalog.CatalogContext;

namespace UploadConformance.Suites.Catalog;

/// <summary>How the body travels: framing, Expect: 100-continue, slow links, timeouts, aborts at
/// 1, 50 and 99 %, WeChat's ten uploads at once, and the same upload twice.</summary>
public static class TransportSuite
{
    public const string Name = "transport";

    public static IEnumerable<UploadCase> Build(CatalogContext c)
    {
        var cases = new CaseList(Name);
        var photo = c.Image(ImageSpec.Compressed);

        var byLength =
            c.Plan(photo, c.Faker.ChineseProfile(),
            wire: new WireOptions { BoundaryStyle = BoundaryStyle.Custom, CustomBoundary = "----UcFramingBoundary01" });
        var chunked = byLength with { Wire = byLength.Wire with { Framing = Framing.Chunked } };
        cases.Several("chunked-vs-content-length",
            "the same upload with Content-Length and chunked: both stored, identically (Flask lost chunked bodies) "
            + "(C22)",
            "both framings stored exactly alike", [("content-length", byLength), ("chunked", chunked)]);

        cases.Add("expect-100-continue", "Expect: 100-continue on a normal upload: the go-ahead, then stored",
            c.Plan(photo, wire: new WireOptions { ExpectContinue = true }), Expectation.StoredExactly);
        // Twice the declared limit: over any request limit a server derives from it (file plus other
        // parts). With no size limit declared there is nothing the announced length is over, and an
        // endpoint without one is held to storing a large file instead (limits.file.large).
        if ((c.Limits.MaxRequestBytes ?? c.Limits.MaxFileBytes) is { } limit)
        {
            var declared = 2 * limit + (16 << 20);
            var tooLarge = new[] { c.Limits.OverLimitStatus, 413 }.Distinct().ToArray();
            var head = Bytes(
                $"--x\r\nContent-Disposition: form-data; name=\"{c.Field}\"; filename=\"big.jpg\"\r\nContent-Type: "
                + $"image/jpeg\r\n\r\n");
            var tail = Bytes("\r\n--x--\r\n");
            var oversized = new RawRequest
            {
                Headers = [new("Content-Type", "multipart/form-data; boundary=x"),
                    new("Content-Length", declared.ToString(CultureInfo.InvariantCulture)),
                    new("Expect", "100-continue")],
                Body = RawBody.Repeated(head, [0x5A], declared - head.Length - tail.Length, tail),
                WaitBeforeBody = TimeSpan.FromSeconds(3),
                HalfCloseAfterBody = true,
            };
            cases.Raw("expect-100-continue.oversized",
                $"Expect: 100-continue announcing {declared} bytes: a {c.Limits.OverLimitStatus} before any 100 "
                + $"Continue, body never sent (C21)",
                oversized,
                new Expectation.Refused(tooLarge, "an announced body over the limit", OnAccept.Fail,
                    ClosingIsFine: true),
                RequestForm.WellFormed, null,
                ExtraChecks.NoContinueBeforeRefusal, ExtraChecks.BodyNotSent);
        }

        cases.Add("slow-client", "a compressed Android photo at 50 KB/s, well inside WeChat's 60 s timeout",
            c.Plan(c.Image(ImageSpec.CompressedAndroid), wire: new WireOptions { RateCapBytesPerSecond = 50 * 1000 }),
            Expectation.StoredExactly);
        cases.Add("client-timeout",
            "a 400 ms client timeout on a 20 KB/s link: uploadFile:fail timeout, server keeps nothing",
            c.Plan(photo, wire: new WireOptions { RateCapBytesPerSecond = 20 * 1000 }, timeoutMs: 400),
            Expectation.TimedOut);
        foreach (var pct in new[] { 1, 50, 99 })
            cases.Add($"abort.{pct}",
                $"UploadTask.abort() at {pct} % of an original photo: healthy afterwards, no partial file",
                c.Plan(c.Image(ImageSpec.Original),
                wire: new WireOptions { AbortAt = AbortPoint.AtFraction(pct / 100.0) }), Expectation.Aborted);

        var ten = Enumerable.Range(0, 10).Select(i =>
            ($"upload[{i}]",
            c.Plan(i % 2 == 0 ? c.Image(ImageSpec.Compressed) : c.Image(ImageSpec.CompressedAndroid),
            c.Faker.ChineseProfile()))).ToList();
        cases.Several("concurrent-10",
            "ten uploads at once, WeChat's cap on requests in flight: every one stored exactly",
            "all ten stored exactly", ten, atOnce: true);

        var twice = c.Plan(c.Image(ImageSpec.CompressedAndroid));
        cases.Several("same-bytes-twice",
            "the same upload sent twice, as a user retrying does: both stored; whether deduplicated is recorded",
            "both stored exactly; whether the second is deduplicated is recorded",
            [("first", twice), ("retry", twice)], noteSameUrl: true);

        var tiny = SmallJpegLike(3000, 4);
        cases.Raw("tiny-chunks",
            "a body arriving one byte per write: stored hash-equal (Werkzeug added a stray CR) (C18)",
            RawRequest.Multipart("multipart/form-data; boundary=x",
            WellFormed("x", c.Field, tiny)) with { WriteChunkBytes = 1 },
            Expectation.StoredExactly, RequestForm.WellFormed, c.WellFormedFiles(tiny));
        return cases;
    }
}
