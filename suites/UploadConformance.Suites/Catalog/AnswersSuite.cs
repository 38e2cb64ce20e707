using UploadConformance.Payloads;
using UploadConformance.Verification;
using UploadConformance.Wire;

namespace UploadConformance.Suites.Catalog;

/// <summary>What the client is handed: wx gives <c>res.data</c> as a string and fires success on any
/// status, so answers must be JSON a client can parse, and errors must not hide inside a 200.</summary>
public static class AnswersSuite
{
    public const string Name = "answers";

    public static IEnumerable<UploadCase> Build(CatalogContext c)
    {
        var cases = new CaseList(Name);
        cases.Add("json-utf8", "a success answer is JSON with a UTF-8 (or no) charset that parses",
            c.Plan(c.Image(ImageSpec.CompressedAndroid)), Expectation.StoredExactly, RequestForm.WellFormed,
            ExtraChecks.JsonContentType);
        cases.Add("refusal-is-json", "a refusal is JSON too, not an HTML error page (nginx's 413 is HTML)",
            c.Plan(c.Image(ImageSpec.CompressedAndroid),
            wire: new WireOptions { ContentTypeOverride = "multipart/form-data" }),
            new Expectation.Refused(Statuses.BadRequest, "a body it cannot delimit"), RequestForm.Malformed);
        cases.Raw("no-file", "fields but no file: refused with a 4xx, not a success, not a business error inside a 200",
            RawRequest.Multipart("multipart/form-data; boundary=x",
            CatalogContext.Bytes("--x\r\nContent-Disposition: form-data; name=\"id\"\r\n\r\ntest\r\n--x--\r\n")),
            new Expectation.Refused([400, 422],
            "an upload without a file: a success would tell a client whose file went missing that it succeeded",
            OnAccept.Fail),
            RequestForm.WellFormed);
        return cases;
    }
}
