using UploadConformance.Payloads;
using UploadConformance.Requests;
using UploadConformance.Targets;
using UploadConformance.Verification;
using UploadConformance.Wire;

namespace UploadConformance.Tests;

/// <summary>The grading rule case by case, with no server: an outcome and evidence in, a grade out.</summary>
public class GraderTests
{
    private static readonly Grader Rule = new(TargetProfile.Reference(new Uri("http://127.0.0.1:1/upload")));

    private static readonly SentUpload Photo = new(
        [("file", new UploadFile(new BytesPayload(new byte[2 << 20]), "a.jpg", "image/jpeg"))], [],
        NameEscaping.Whatwg);

    private static readonly IReadOnlyList<Check> Clean = [new("nothing stored", true, "0", "0")];
    private static readonly IReadOnlyList<Check> Leaked = [new("no partial file left on disk", false, "≤ 0", "1")];

    private static UploadOutcome Answer(int status, string body) => new()
    {
        ErrMsg = "uploadFile:ok", StatusCode = status, Data = body, ResponseContentType = "application/json",
    };

    [Fact]
    public void An_ordinary_upload_refused_with_413_fails_after_asking_what_was_kept_and_names_the_limit_to_declare()
    {
        var profile = Rule.Profile with { Limits = new DeclaredLimits() };
        var grader = new Grader(profile);
        var refused = Answer(413, """{"error":"too large"}""");
        var first = grader.Judge(Expectation.OrdinaryUpload, RequestForm.WellFormed, refused, Photo, Evidence.None);
        Assert.Null(first.Grade);
        Assert.Equal(new EvidenceNeed.Cleanup(RequireDiscard: false), first.Needs);

        var grade = grader.Judge(Expectation.OrdinaryUpload, RequestForm.WellFormed, refused, Photo,
            new Evidence { Cleanup = Clean }).Grade!;
        Assert.Equal(Verdict.Fail, grade.Verdict);
        Assert.StartsWith(Grader.RefusedOrdinary + " with 413 (if it has a file size limit, declare "
            + "limits.maxFileBytes)", grade.Reason);
    }

    [Fact]
    public void An_edge_upload_refused_is_non_strict_but_a_refusal_that_kept_a_partial_file_fails()
    {
        var refused = Answer(400, """{"error":"no"}""");
        var safe = Rule.Judge(Expectation.StoredExactly, RequestForm.WellFormed, refused, Photo,
            new Evidence { Cleanup = Clean }).Grade!;
        Assert.Equal(Verdict.NonStrict, safe.Verdict);
        var leaky = Rule.Judge(Expectation.StoredExactly, RequestForm.WellFormed, refused, Photo,
            new Evidence { Cleanup = Leaked }).Grade!;
        Assert.Equal(Verdict.Fail, leaky.Verdict);
        Assert.StartsWith("refused, but kept data: no partial file left on disk", leaky.Reason);
    }

    [Fact]
    public void A_success_asks_for_the_stored_comparison_and_a_byte_that_differs_fails()
    {
        var ok = Answer(200, """{"code":0}""");
        var need = Rule.Judge(Expectation.StoredExactly, RequestForm.WellFormed, ok, Photo, Evidence.None).Needs;
        Assert.Equal(new EvidenceNeed.Stored(Photo, FilenameRule.Exact, true), need);

        var shorter = new Evidence { Stored = [new Check("file.size", false, "2097152", "2097151")] };
        var grade = Rule.Judge(Expectation.StoredExactly, RequestForm.WellFormed, ok, Photo, shorter).Grade!;
        Assert.Equal((Verdict.Fail, Severity.Hard), (grade.Verdict, grade.Severity));
        Assert.StartsWith("file.size: expected 2097152, got 2097151", grade.Reason);
        var exact = new Evidence { Stored = [new Check("file.size", true, "2097152", "2097152")] };
        Assert.Equal(Verdict.Pass,
            Rule.Judge(Expectation.StoredExactly, RequestForm.WellFormed, ok, Photo, exact).Grade!.Verdict);
    }

    [Fact]
    public void Accepting_a_wrong_signature_like_request_that_must_be_refused_fails_however_it_was_stored()
    {
        var mustRefuse = new Expectation.Refused([403], "a forged credential", OnAccept.Fail);
        var grade = Rule.Judge(mustRefuse, RequestForm.WellFormed, Answer(200, """{"code":0}"""), Photo,
            new Evidence { Stored = [new Check("file.size", true)] }).Grade!;
        Assert.Equal(Verdict.Fail, grade.Verdict);
        Assert.Equal("accepted what it should refuse (a forged credential)", grade.Reason);
    }

    [Fact]
    public void An_abort_needs_a_counted_discard_and_passes_only_mid_stream_with_nothing_kept()
    {
        var aborted = new UploadOutcome
        {
            ErrMsg = "uploadFile:fail abort", Failure = FailureKind.Aborted, BytesSent = 10, BytesExpected = 100,
        };
        Assert.Equal(new EvidenceNeed.Cleanup(RequireDiscard: true),
            Rule.Judge(Expectation.Aborted, RequestForm.WellFormed, aborted, Photo, Evidence.None).Needs);
        Assert.Equal(Verdict.Pass, Rule.Judge(Expectation.Aborted, RequestForm.WellFormed, aborted, Photo,
            new Evidence { Cleanup = Clean }).Grade!.Verdict);
        var never = aborted with { BytesSent = 100 };
        Assert.Equal(Verdict.Fail, Rule.Judge(Expectation.Aborted, RequestForm.WellFormed, never, Photo,
            new Evidence { Cleanup = Clean }).Grade!.Verdict);
    }

    [Fact]
    public void A_5xx_to_an_edge_request_is_a_soft_fail_with_no_lookup_and_a_leaked_stack_is_hard()
    {
        var grade = Rule.Judge(Expectation.StoredExactly, RequestForm.Malformed, Answer(500, "oops"), Photo,
            Evidence.None).Grade!;
        Assert.Equal((Verdict.Fail, Severity.Soft), (grade.Verdict, grade.Severity));
        var trace = Rule.Judge(Expectation.StoredExactly, RequestForm.Malformed,
            Answer(400, "Error: bad\n    at Busboy.emit (/app/node_modules/busboy/lib/main.js:1:1)"), Photo,
            Evidence.None).Grade!;
        Assert.Equal((Verdict.Fail, Severity.Hard), (trace.Verdict, trace.Severity));
    }

    [Fact]
    public void Several_uploads_are_as_bad_as_the_worst_and_the_first_of_equals_names_the_reason()
    {
        var ok = Answer(200, """{"code":0,"data":{"url":"/f/1"}}""");
        var graded = new List<(string, UploadOutcome, Grade)>
        {
            ("a", ok, Grade.Pass()),
            ("b", ok, new Grade(Verdict.NonStrict, null, "renamed", [])),
            ("c", ok, Grade.Fail(Severity.Hard, "lost", new Check("x", false))),
            ("d", ok, Grade.Fail(Severity.Soft, "also lost")),
        };
        var grade = Rule.Several(graded, noteSameUrl: false);
        Assert.Equal((Verdict.Fail, "c: lost"), (grade.Verdict, grade.Reason));
        Assert.Contains(grade.Checks, c => c.Name == "c.x");
        Assert.Null(Grade.Worst([("a", Grade.Pass())]));
        Assert.Equal("deduplicated: both answers name /f/1",
            Rule.Several([("first", ok, Grade.Pass()), ("retry", ok, Grade.Pass())], noteSameUrl: true).Reason);
    }
}
