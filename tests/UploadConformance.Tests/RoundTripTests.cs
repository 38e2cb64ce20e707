using UploadConformance.Payloads;
using UploadConformance.Requests;
using UploadConformance.Suites;
using UploadConformance.Targets;
using UploadConformance.Verification;
using UploadConformance.Wire;

namespace UploadConformance.Tests;

/// <summary>Every encoding, boundary style and framing through real parsers: ASP.NET Core's
/// MultipartReader (the reference server) and busboy. Every byte and field, Chinese names included,
/// must come back intact.</summary>
public static class RoundTripMatrix
{
    public static TheoryData<FormDataEncoding, BoundaryStyle, Framing> All()
    {
        var data = new TheoryData<FormDataEncoding, BoundaryStyle, Framing>();
        foreach (var encoding in Enum.GetValues<FormDataEncoding>())
            foreach (var style in new[] { BoundaryStyle.WebKit, BoundaryStyle.DashesDigits, BoundaryStyle.Uuid })
                foreach (var framing in Enum.GetValues<Framing>())
                    data.Add(encoding, style, framing);
        return data;
    }

    public static RequestPlan Plan(Uri url, FormDataEncoding encoding, BoundaryStyle style, Framing framing, int seed)
    {
        var faker = new FormDataFaker(seed);
        var formData =
            new FormValue.Object(
            [.. faker.ChineseFieldNames().Members, .. faker.ChineseProfile().Members,
            .. FormDataFaker.SeedExample().Members]);
        var request = new UploadRequest
        {
            Url = url,
            Name = "图片",
            File = new UploadFile(ImageFactory.Default().Get(ImageSpec.CompressedAndroid, seed: 1),
            faker.ChineseFileName("jpg"), "image/jpeg"),
            ExtraFiles =
            [new UploadFile(new GeneratedPayload(300_000, (ulong)seed), "二进制 数据.bin", "application/octet-stream")],
            FormData = formData,
        };
        return RequestPlan.For(request, encoding, new WireOptions { BoundaryStyle = style, Framing = framing }, seed,
            "test");
    }

    public static void AssertAllChecksHold(IReadOnlyList<Check> checks, bool expectFetchBack)
    {
        var failed = checks.Where(c => !c.Ok).Select(c => c.ToString()).ToList();
        Assert.True(failed.Count == 0, string.Join("; ", failed));
        Assert.Contains(checks, c => c.Name == "fields" && c.Checked);
        Assert.Contains(checks, c => c.Name.EndsWith(".sha256", StringComparison.Ordinal) && c.Checked);
        Assert.Equal(expectFetchBack,
            checks.Any(c => c.Name.EndsWith(".fetched", StringComparison.Ordinal) && c.Checked));
    }
}

public class ReferenceServerRoundTripTests(ReferenceServerFixture server) : IClassFixture<ReferenceServerFixture>
{
    [Theory]
    [MemberData(nameof(RoundTripMatrix.All), MemberType = typeof(RoundTripMatrix))]
    public async Task Every_byte_and_field_comes_back_through_AspNetCore(FormDataEncoding encoding,
        BoundaryStyle style, Framing framing)
    {
        var chineseField =
            await ReferenceServer.ReferenceServer.StartAsync(
            new ReferenceServer.ReferenceServerOptions { FileField = "图片" });
        await using var _ = chineseField;
        var plan = RoundTripMatrix.Plan(chineseField.UploadUrl, encoding, style, framing, seed: (int)encoding * 10
            + (int)style);
        var outcome = await server.Uploader.SendAsync(plan);
        Assert.Equal(200, outcome.StatusCode);
        var checks =
            await new CaseRunner(server.Uploader, server.Http,
            TargetProfile.Reference(chineseField.UploadUrl)).Stored.VerifyAsync(plan, outcome, CancellationToken.None);
        RoundTripMatrix.AssertAllChecksHold(checks, expectFetchBack: true);
    }

    [Fact]
    public async Task The_verifier_fails_an_upload_whose_stored_bytes_differ_from_what_the_plan_says()
    {
        var sent = SimplePlan(server.Server.UploadUrl, new GeneratedPayload(10_000, 1));
        var outcome = await server.Uploader.SendAsync(sent);
        var claimed =
            sent with { Request = sent.Request with { File = sent.Request.File with { Payload = new GeneratedPayload(
            10_000, 2) } } };
        var checks = await server.Runner.Stored.VerifyAsync(claimed, outcome, CancellationToken.None);
        Assert.Contains(checks, c => c is { Name: "file.sha256", Ok: false });
        Assert.Contains(checks, c => c is { Name: "file.fetched", Ok: false });
    }

    [Theory]
    [InlineData(0.01)]
    [InlineData(0.5)]
    [InlineData(0.99)]
    public async Task A_mid_stream_abort_leaves_the_server_healthy_and_keeps_nothing(double fraction)
    {
        var plan = SimplePlan(server.Server.UploadUrl,
            new GeneratedPayload(4 << 20, 3)) with { Wire =
            new WireOptions { AbortAt = AbortPoint.AtFraction(fraction) } };
        var result =
            await server.Runner.RunAsync(new UploadCase("t.abort", "t", "abort", plan, Expectation.Aborted),
            CancellationToken.None);
        Assert.True(result.Verdict == Verdict.Pass, result.Reason);
        Assert.Equal("uploadFile:fail abort", result.Outcome.ErrMsg);
        Assert.Equal(AbortPoint.AtFraction(fraction).Resolve(plan.BuildBody().Length), result.Outcome.BytesSent);
        Assert.Equal(0, server.Server.Store.Snapshot().PartialFilesOnDisk);
    }

    [Fact]
    public async Task A_client_timeout_ends_as_wx_fail_timeout_and_the_server_keeps_nothing()
    {
        var plan = SimplePlan(server.Server.UploadUrl, new GeneratedPayload(1 << 20, 4)) with
        {
            Request = SimplePlan(server.Server.UploadUrl,
                new GeneratedPayload(1 << 20, 4)).Request with { TimeoutMs = 300 },
            Wire = new WireOptions { RateCapBytesPerSecond = 32 * 1024 },
        };
        var result =
            await server.Runner.RunAsync(new UploadCase("t.timeout", "t", "timeout", plan, Expectation.TimedOut),
            CancellationToken.None);
        Assert.True(result.Verdict == Verdict.Pass, result.Reason);
        Assert.Equal("uploadFile:fail timeout", result.Outcome.ErrMsg);
    }

    [Fact]
    public async Task The_runner_fails_an_abort_case_when_the_upload_completed_instead()
    {
        var plan = SimplePlan(server.Server.UploadUrl, new GeneratedPayload(1000, 5));
        var result =
            await server.Runner.RunAsync(new UploadCase("t.not-aborted", "t", "no abort", plan, Expectation.Aborted),
            CancellationToken.None);
        Assert.Equal(Verdict.Fail, result.Verdict);
        Assert.StartsWith("errMsg: expected uploadFile:fail abort", result.Reason);
    }

    [Theory]
    [InlineData(Framing.ContentLength)]
    [InlineData(Framing.Chunked)]
    public async Task Over_the_declared_limit_is_a_JSON_413_and_nothing_is_stored(Framing framing)
    {
        await using var small =
            await ReferenceServer.ReferenceServer.StartAsync(
            new ReferenceServer.ReferenceServerOptions { MaxFileBytes = 100_000, MaxRequestBytes = 110_000 });
        var plan = SimplePlan(small.UploadUrl,
            new GeneratedPayload(400_000, 6)) with { Wire = new WireOptions { Framing = framing } };
        var outcome = await server.Uploader.SendAsync(plan);
        Assert.Equal(413, outcome.StatusCode);
        Assert.StartsWith("application/json", outcome.ResponseContentType);
        Assert.Contains("\"code\":413", outcome.Data);
        Assert.Equal(0, small.Store.Snapshot().FilesStored);

        var under = await server.Uploader.SendAsync(SimplePlan(small.UploadUrl, new GeneratedPayload(99_000, 6)));
        Assert.Equal(200, under.StatusCode);
    }

    [Theory]
    [InlineData("multipart/form-data", 400, "without a boundary")]
    [InlineData("application/json", 415, "expected multipart/form-data")]
    [InlineData("multipart/form-data; boundary="
        + "x123456789x123456789x123456789x123456789x123456789x123456789x123456789x", 400, "RFC 2046")]
    public async Task A_wrong_Content_Type_is_a_JSON_4xx_never_a_5xx(string contentType, int status, string message)
    {
        using var content =
            new ByteArrayContent("--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--x--\r\n"u8.ToArray());
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        using var response = await server.Http.PostAsync(server.Server.UploadUrl, content);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_body_without_its_closing_boundary_is_a_400_and_no_file_is_kept()
    {
        var before = server.Server.Store.Snapshot();
        using var content =
            new ByteArrayContent(
            [.. "--x\r\nContent-Disposition: form-data; name=\"images\"; filename=\"a.jpg\"\r\n\r\n"u8,
            .. "half a file"u8]);
        content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=x");
        using var response = await server.Http.PostAsync(server.Server.UploadUrl, content);
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("malformed multipart", await response.Content.ReadAsStringAsync());
        var after = server.Server.Store.Snapshot();
        Assert.Equal(before.FilesStored, after.FilesStored);
        Assert.Equal(0, after.PartialFilesOnDisk);
    }

    [Fact]
    public async Task A_file_under_another_field_is_a_400_naming_the_expected_field()
    {
        var plan = SimplePlan(server.Server.UploadUrl, new GeneratedPayload(100, 7));
        plan = plan with { Request = plan.Request with { Name = "file" } };
        var outcome = await server.Uploader.SendAsync(plan);
        Assert.Equal(400, outcome.StatusCode);
        Assert.Contains("no file under field 'images' (got 'file')", outcome.Data);
    }

    [Fact]
    public async Task A_target_that_refuses_connections_is_reported_as_refused()
    {
        var plan = SimplePlan(new Uri("http://127.0.0.1:1/image"), new GeneratedPayload(100, 7));
        var outcome = await server.Uploader.SendAsync(plan);
        Assert.Equal(FailureKind.Refused, outcome.Failure);
        Assert.Equal("uploadFile:fail connection refused", outcome.ErrMsg);
    }

    private static RequestPlan SimplePlan(Uri url, IPayload payload) => RequestPlan.For(new UploadRequest
    {
        Url = url,
        Name = "images",
        File = new UploadFile(payload, "tmp_0123.bin", "application/octet-stream"),
        FormData = FormDataFaker.SeedExample(),
    }, FormDataEncoding.Brackets);
}

public class BusboyRoundTripTests(BusboyFixture busboy) : IClassFixture<BusboyFixture>
{
    [Theory]
    [MemberData(nameof(RoundTripMatrix.All), MemberType = typeof(RoundTripMatrix))]
    public async Task Every_byte_and_field_comes_back_through_busboy(FormDataEncoding encoding, BoundaryStyle style,
        Framing framing)
    {
        var plan = RoundTripMatrix.Plan(busboy.Url, encoding, style, framing, seed: 100 + (int)encoding * 10
            + (int)style);
        var outcome = await busboy.Uploader.SendAsync(plan);
        Assert.Equal(200, outcome.StatusCode);
        var checks =
            await new CaseRunner(busboy.Uploader, busboy.Http,
            TargetProfile.Reference(busboy.Url) with { Stats = null }).Stored.VerifyAsync(plan, outcome,
            CancellationToken.None);
        RoundTripMatrix.AssertAllChecksHold(checks, expectFetchBack: false);
    }
}
