using UploadConformance.Load;
using UploadConformance.Payloads;
using UploadConformance.ReferenceServer;
using UploadConformance.Scenarios;
using UploadConformance.Targets;
using UploadConformance.Verification;
using UploadConformance.Wire;
using Xunit.Abstractions;
using Server = UploadConformance.ReferenceServer.ReferenceServer;

namespace UploadConformance.Tests;

/// <summary>The reference server with its /flow backend: tokens that expire within a load run (so the app's
/// re-login is exercised) and credentials that expire within seconds (so the expiry case is waited for).</summary>
public sealed class FlowServerFixture : IAsyncLifetime
{
    public Server Server { get; private set; } = null!;
    public HttpClient Http { get; } = new(Uploader.CreateHandler());
    public Uploader Uploader { get; } = new();

    public async Task InitializeAsync() => Server = await Server.StartAsync(new ReferenceServerOptions
    {
        TokenLifetime = TimeSpan.FromSeconds(1),
        CredentialLifetime = TimeSpan.FromSeconds(2),
    });

    /// <summary>A worked profile from profiles/, pointed at this server as --target would.</summary>
    public TargetProfile Profile(string name)
    {
        var path = Path.Combine(Repo.Root, "profiles", $"{name}.yaml");
        var written = ProfileLoader.Load(path);
        return ProfileLoader.Load(path, new Uri(Server.BaseUrl, written.Url.PathAndQuery));
    }

    public async Task DisposeAsync()
    {
        Uploader.Dispose();
        Http.Dispose();
        await Server.DisposeAsync();
    }
}

public class FlowTests(FlowServerFixture flows, ITestOutputHelper output) : IClassFixture<FlowServerFixture>
{
    public static TheoryData<string> WorkedProfiles => new()
    {
        "aliyun-oss-postobject", "s3-presigned-post", "cos-post", "qiniu-form", "login-then-upload",
    };

    [Theory]
    [MemberData(nameof(WorkedProfiles))]
    public async Task Each_worked_profile_passes_its_flows_suite_against_the_reference_server(string name)
    {
        var results = await Catalog.RunAsync(flows.Profile(name), flows.Uploader, flows.Http, output, "flows.*");

        Assert.True(results.Count >= 4);
        Assert.All(results.Values, r => Assert.True(r.Verdict == Verdict.Pass, $"{r.Id}: {r.Verdict} {r.Reason}"));
        // The confirm ran after each stored upload, and said yes.
        if (name != "login-then-upload")
            Assert.Contains(results["flows.photo-original"].Checks, c => c.Name == "confirm" && c.Ok);
    }

    [Theory]
    [MemberData(nameof(WorkedProfiles))]
    public async Task Each_worked_profile_runs_under_load_with_a_row_per_step(string name)
    {
        var profile = flows.Profile(name);
        var scenario = ScenarioLoader.Parse("""
            mix:
              - { name: photo, image: compressed-android, formData: none }
            load:
              - iterationsForConstant: { copies: 3, iterations: 30 }
            """, "flow-load.yaml");
        using var engine = new LoadEngine(scenario, profile, new RequestMix(scenario, profile, ImageFactory.Default()));
        var outcome = await engine.RunAsync(null, CancellationToken.None);

        Assert.Equal(30, outcome.All.Requests);
        Assert.Equal(30, outcome.All.Ok);
        Assert.Equal(30, outcome.ByName[FlowIterations.FlowRow].Ok);
        // Three users, each logged in once at least; tokens live 1 s, so a longer run logs in again.
        Assert.InRange(outcome.ByName["login"].Requests, 3, 30);
        if (name != "login-then-upload")
        {
            Assert.Equal(30, outcome.ByName["credential"].Ok);
            Assert.Equal(30, outcome.ByName["confirm"].Ok);
        }
    }

    [Fact]
    public async Task An_expired_session_token_is_refreshed_by_one_login_and_no_upload_fails()
    {
        var profile = flows.Profile("login-then-upload");
        var scenario = ScenarioLoader.Parse("""
            mix:
              - { name: photo, image: compressed-android }
            load:
              - keepConstant: { copies: 1, during: 2500ms }
            thresholds:
              - error_rate < 0.01%
            """, "relogin.yaml");
        using var engine = new LoadEngine(scenario, profile, new RequestMix(scenario, profile, ImageFactory.Default()));
        var outcome = await engine.RunAsync(null, CancellationToken.None);

        Assert.True(outcome.All.Requests > 10, $"{outcome.All.Requests} uploads");
        Assert.Equal(outcome.All.Requests, outcome.All.Ok);
        // The token lives 1 s: over 2.5 s the one user logged in again after a 401, twice or more.
        Assert.InRange(outcome.ByName["login"].Requests, 3, 10);
        Assert.True(outcome.All.Statuses.GetValueOrDefault("401") == 0, "a 401 reached the upload row");
    }

    [Fact]
    public async Task The_scenario_with_a_login_a_credential_and_a_confirm_holds_its_step_thresholds()
    {
        var profile = flows.Profile("aliyun-oss-postobject");
        var scenario = ScenarioLoader.Load(Path.Combine(Repo.Root, "scenarios", "login-credential-confirm.yaml"))
            with { Load = ScenarioLoader.Parse("mix: [{ name: x, bytes: 1 }]\nload:\n"
                + "  - iterationsForConstant: { copies: 2, iterations: 12 }\n", "short.yaml").Load };
        using var engine = new LoadEngine(scenario, profile, new RequestMix(scenario, profile, ImageFactory.Default()));
        var outcome = await engine.RunAsync(null, CancellationToken.None);

        Assert.Equal(12, outcome.All.Ok);
        Assert.Equal(["error_rate < 1%", "credential: p99 < 200ms", "confirm: error_rate < 1%", "flow: p95 < 5s"],
            outcome.Thresholds.Select(t => t.Text));
        Assert.All(outcome.Thresholds, t => Assert.True(t.Passed, $"{t.Text}: {t.Actual}"));
        // Every upload confirmed; a confirm refused because the token had expired meanwhile was repeated after
        // a login, and shows as its 401, not as a failure.
        Assert.Equal(12, outcome.ByName["confirm"].Statuses.GetValueOrDefault("200"));
        Assert.Equal(0, outcome.ByName["confirm"].Failed);
    }

    [Fact]
    public async Task A_flow_split_over_two_generators_merges_into_the_step_rows_of_one_run()
    {
        var profile = flows.Profile("s3-presigned-post");
        var scenario = ScenarioLoader.Parse("""
            seed: 3
            mix:
              - { name: photo, image: compressed-android, formData: none }
            load:
              - iterationsForConstant: { copies: 4, iterations: 24 }
            thresholds:
              - credential: p99 < 1s
            """, "split-flow.yaml", Scenario.Rows(profile.Flow));
        async Task<Results.LoadResults> Run(ExecutionSegment segment)
        {
            using var engine = new LoadEngine(scenario, profile, new RequestMix(scenario, profile,
                ImageFactory.Default()), segment: segment);
            return Results.LoadResults.Of(scenario, await engine.RunAsync(null, CancellationToken.None));
        }
        var whole = await Run(ExecutionSegment.Whole);
        var merged = Results.LoadMerge.Merge(
            [await Run(new ExecutionSegment(0, 2)), await Run(new ExecutionSegment(1, 2))]);

        foreach (var name in new[] { "photo", "credential", "confirm", FlowIterations.FlowRow })
        {
            Assert.Equal(24, whole.Names.Single(n => n.Name == name).Ok);
            Assert.Equal(24, merged.Names.Single(n => n.Name == name).Ok);
        }
        Assert.Equal(24, merged.All.Requests);
        // The step's threshold is evaluated on the merged step row.
        Assert.Equal("credential", Assert.Single(merged.Thresholds).Scope);
        Assert.True(merged.Thresholds[0].Passed);
    }

    [Fact]
    public async Task A_capture_that_finds_nothing_fails_its_step_naming_the_path_and_showing_the_answer_escaped()
    {
        var yaml = $"""
            url: {flows.Server.BaseUrl}oss/uc-bucket
            storage: oss
            steps:
              - name: credential
                url: /flow/login
                method: POST
                json: {"{"} code: x {"}"}
                capture: {"{"} policy: $.data.policy {"}"}
              - upload: {"{"} formData: {"{"} policy: "{"{"}policy{"}"}" {"}"} {"}"}
            """;
        var profile = ProfileLoader.Parse(yaml, "capture.yaml");
        var results = await Catalog.RunAsync(profile, flows.Uploader, flows.Http, output, "flows.photo-compressed");

        var result = results["flows.photo-compressed"];
        Assert.Equal(Verdict.Fail, result.Verdict);
        Assert.Contains("credential: $.data.policy found nothing to capture as {policy} in {\"code\":0", result.Reason);
    }

    [Theory]
    [InlineData("steps:\n  - upload: { url: \"{host}\" }\n", "'{host}' is neither captured by an earlier step")]
    [InlineData("steps:\n  - name: confirm\n    url: /c?k={key}\n  - upload: {}\n", "{key} is known after the upload")]
    [InlineData("steps:\n  - name: login\n    url: /l\n", "one item must be the upload")]
    [InlineData("steps:\n  - name: a\n    url: /a\n    capture: { t: data.token }\n  - upload: {}\n",
        "'data.token' is not a capture")]
    [InlineData("steps:\n  - name: a\n    urll: /a\n  - upload: {}\n", "unknown key 'urll' (did you mean 'url'?)")]
    [InlineData("steps:\n  - upload: {}\n  - name: a\n    once: run\n    url: /a\n", "only steps before the upload")]
    [InlineData("storage: gcs\n", "'gcs' is not a storage kind")]
    public void A_mistake_in_the_steps_is_an_error_naming_its_line(string steps, string message)
    {
        var e = Assert.Throws<ProfileException>(() =>
            ProfileLoader.Parse("url: http://127.0.0.1:1/x\n" + steps, "p.yaml"));
        Assert.Contains(message, e.Message);
        Assert.StartsWith("p.yaml:", e.Message);
    }

    [Fact]
    public void Secrets_from_the_environment_fill_steps_and_a_doubled_dollar_keeps_the_stores_own_template()
    {
        Environment.SetEnvironmentVariable("UC_TEST_FLOW_SECRET", "s3cr3t");
        var profile = ProfileLoader.Parse("""
            url: http://127.0.0.1:1/x
            steps:
              - name: credential
                url: /c
                headers: { X-Api-Key: "${UC_TEST_FLOW_SECRET}" }
                capture: { p: $.p }
              - upload: { formData: { key: "up/$${filename}", policy: "{p}" } }
            """, "p.yaml");

        Assert.Equal("s3cr3t", profile.Flow.Before[0].Headers[0].Value);
        Assert.Equal("up/${filename}", profile.Flow.Upload.FormData[0].Value);
        Assert.Equal(["UC_TEST_FLOW_SECRET"], StrictYaml.EnvReferences("a: \"${UC_TEST_FLOW_SECRET} $${filename}\""));
    }

    [Fact]
    public void A_profile_without_steps_is_the_one_POST_it_always_was()
    {
        var profile = ProfileLoader.Load(Path.Combine(Repo.Root, "profiles", "reference.yaml"));
        Assert.True(profile.Flow.IsOnePost);
        Assert.Equal(StorageKind.None, profile.Storage);
        Assert.Empty(Suites.Catalog.FlowsSuite.Build(new Suites.Catalog.CatalogContext(profile, 1,
            ImageFactory.Default())));
    }
}

/// <summary>The reference server's buckets read a form as the stores document, checked here with forms signed
/// by its own fake keys: what each refusal says.</summary>
public class BucketTests(ITestOutputHelper output)
{
    private static async Task<(int Status, string Body)> PostAsync(Uri url, params (string Name, string Value)[] fields)
    {
        using var http = new HttpClient();
        using var form = new MultipartFormDataContent();
        foreach (var (name, value) in fields) form.Add(new StringContent(value), name);
        form.Add(new ByteArrayContent("photo"u8.ToArray()), "file", "a.jpg");
        using var response = await http.PostAsync(url, form);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static string Base64(string json) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(json));

    [Fact]
    public async Task A_policy_that_is_not_one_is_InvalidPolicyDocument_and_a_field_it_does_not_name_is_refused()
    {
        await using var server = await Server.StartAsync(new ReferenceServerOptions());
        var notJson = Base64("not json");
        var (status, body) = await PostAsync(new Uri(server.BaseUrl, "/oss/uc-bucket"), ("key", "uploads/a.jpg"),
            ("policy", notJson), ("OSSAccessKeyId", StorageKeys.OssId),
            ("Signature", StorageSignatures.OssV1(StorageKeys.OssSecret, notJson)));
        Assert.Equal(400, status);
        Assert.Contains("<Code>InvalidPolicyDocument</Code>", body);

        // S3 names every field in its policy: one more is refused, as S3 does.
        var now = DateTimeOffset.UtcNow;
        var credential = $"{StorageKeys.S3Id}/{StorageSignatures.Day(now)}/{StorageKeys.Region}/s3/aws4_request";
        var policy = Base64($$"""
            {"expiration":"{{now.AddMinutes(5):yyyy-MM-ddTHH:mm:ssZ}}","conditions":[{"bucket":"uc-bucket"},
            ["starts-with","$key","uploads/"],{"x-amz-algorithm":"AWS4-HMAC-SHA256"},
            {"x-amz-credential":"{{credential}}"},{"x-amz-date":"{{StorageSignatures.AmzDate(now)}}"}]}
            """);
        (string, string)[] signed =
        [
            ("key", "uploads/a.jpg"), ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"), ("X-Amz-Credential", credential),
            ("X-Amz-Date", StorageSignatures.AmzDate(now)), ("Policy", policy),
            ("X-Amz-Signature", StorageSignatures.S3V4(StorageKeys.S3Secret, StorageSignatures.Day(now),
                StorageKeys.Region, policy)),
        ];
        Assert.Equal(204, (await PostAsync(new Uri(server.BaseUrl, "/s3/uc-bucket"), signed)).Status);
        (status, body) = await PostAsync(new Uri(server.BaseUrl, "/s3/uc-bucket"), [.. signed, ("userId", "42")]);
        Assert.Equal(403, status);
        Assert.Contains("Extra input fields: userid", body);
    }

    [Fact]
    public async Task An_upload_endpoint_that_takes_no_token_or_a_forged_one_fails_as_a_security_hole()
    {
        await using var server = await Server.StartAsync(new ReferenceServerOptions
        {
            Defects = ServerDefects.UploadWithoutToken,
        });
        using var http = new HttpClient(Uploader.CreateHandler());
        using var uploader = new Uploader();
        var path = Path.Combine(Repo.Root, "profiles", "login-then-upload.yaml");
        var profile = ProfileLoader.Load(path, new Uri(server.BaseUrl, "/flow/image"));
        var results = await Catalog.RunAsync(profile, uploader, http, output, "flows.*");

        Assert.Equal(Verdict.Pass, results["flows.photo-compressed"].Verdict);
        Assert.Equal(Verdict.Fail, results["flows.no-token"].Verdict);
        Assert.Equal(Verdict.Fail, results["flows.forged-token"].Verdict);
        Assert.Equal(Severity.Hard, results["flows.forged-token"].Severity);
    }
}
