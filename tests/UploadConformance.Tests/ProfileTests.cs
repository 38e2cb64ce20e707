using System.Text.Json;
using UploadConformance.Results;
using UploadConformance.Targets;

namespace UploadConformance.Tests;

public class ProfileTests
{
    [Fact]
    public void The_shipped_profiles_load_and_the_reference_one_matches_the_built_in_default()
    {
        var reference = ProfileLoader.Load(Path.Combine(Repo.Root, "profiles", "reference.yaml"));
        var builtIn = TargetProfile.Reference(new Uri("http://127.0.0.1:8090/image"));
        Assert.Equal(builtIn.Url, reference.Url);
        Assert.Equal(builtIn.Field, reference.Field);
        Assert.Equal(builtIn.Echo, reference.Echo);
        Assert.Equal(builtIn.Limits, reference.Limits);
        Assert.Equal(builtIn.Success.Status, reference.Success.Status);
        Assert.Equal(builtIn.Success.Json.Select(j => j.ToString()), reference.Success.Json.Select(j => j.ToString()));

        var multer =
            ProfileLoader.Load(Path.Combine(Repo.Root, "profiles", "multer-express.yaml"),
            new Uri("http://127.0.0.1:1/upload"));
        Assert.Equal("file", multer.Field);
        Assert.Equal("$.data.fields", multer.Echo.Fields);
        Assert.Equal(1, multer.Limits.MaxFiles);
        Assert.Null(multer.StatsUrl);
    }

    [Theory]
    [InlineData("url: http://127.0.0.1/x\nsucess:\n  status: [200]\n",
        "p.yaml:2: unknown key 'sucess' (did you mean 'success'?)")]
    [InlineData("url: http://127.0.0.1/x\nlimits:\n  maxFileBytes: lots\n", "p.yaml:3: 'lots' is not a size")]
    [InlineData("url: http://127.0.0.1/x\nsuccess:\n  json:\n    - $.code = 0\n",
        "p.yaml:4: condition '$.code = 0' needs == or !=")]
    [InlineData("url: http://127.0.0.1/x\necho:\n  url: data.url\n", "p.yaml:3: 'data.url' is not a JSON path")]
    [InlineData("url: ftp://127.0.0.1/x\n", "p.yaml:1: 'ftp://127.0.0.1/x' is not an http:// or https:// URL")]
    [InlineData("field: images\n", "p.yaml:1: 'url' is missing (or give --target)")]
    [InlineData("url: http://127.0.0.1/x\nurl: http://127.0.0.1/y\n", "p.yaml:2:")]
    [InlineData("url: [unclosed\n", "p.yaml:")]
    [InlineData("url: http://127.0.0.1/x\nlimits:\n  maxFiles: 0\n", "p.yaml:3: '0' is not a whole number from 1")]
    [InlineData("url: http://127.0.0.1/x\nlimits:\n  maxFileBytes: 10m\n",
        "p.yaml:3: '10m': 'm' could mean 1000s or 1024s; write MiB or MB")]
    [InlineData("url: http://127.0.0.1/x\nfetch: /files/{id}\n", "p.yaml:2: fetch: '{id}' is not a placeholder")]
    [InlineData("url: http://127.0.0.1/x\nsuccess:\n  status: [700]\n", "p.yaml:3: '700' is not an HTTP status")]
    public void A_profile_mistake_is_one_line_naming_the_file_and_line(string yaml, string message)
    {
        var e = Assert.Throws<ProfileException>(() => ProfileLoader.Parse(yaml, "p.yaml"));
        Assert.StartsWith(message, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Header_values_come_from_the_environment_and_never_reach_reports()
    {
        Environment.SetEnvironmentVariable("UC_TEST_SECRET_TOKEN", "s3cr3t-value");
        var profile =
            ProfileLoader.Parse("url: http://127.0.0.1/x\nheaders:\n  Authorization: Bearer ${UC_TEST_SECRET_TOKEN}\n",
            "p.yaml");
        Assert.Equal("Bearer s3cr3t-value", profile.Headers.Single().Value);
        var info = JsonSerializer.Serialize(ProfileInfo.Of(profile), ResultsJson.Options);
        Assert.DoesNotContain("s3cr3t", info);
        Assert.Contains("Authorization: ***", info);

        var e = Assert.Throws<ProfileException>(() =>
            ProfileLoader.Parse("url: http://127.0.0.1/x\nheaders:\n  X-Token: ${UC_TEST_UNSET_VARIABLE}\n", "p.yaml"));
        Assert.Equal("p.yaml:3: environment variable UC_TEST_UNSET_VARIABLE is not set", e.Message);
    }

    [Fact]
    public void Secrets_are_named_by_values_not_comments_and_listing_cases_needs_none_of_them()
    {
        const string yaml = "url: http://127.0.0.1/x   # or ${UC_TEST_COMMENTED}\n"
            + "headers:\n  X-Token: ${UC_TEST_UNSET_VARIABLE}   # ${UC_TEST_ALSO_COMMENTED}\n";
        Assert.Equal(["UC_TEST_UNSET_VARIABLE"], StrictYaml.EnvReferences(yaml));
        Assert.Empty(StrictYaml.EnvReferences("headers: {}   # Authorization: Bearer ${UPLOAD_TOKEN}\n"));
        // Nothing is sent when cases are listed: the unset variable stays as written.
        var listed = ProfileLoader.Parse(yaml, "p.yaml", requireEnvironment: false);
        Assert.Equal("${UC_TEST_UNSET_VARIABLE}", listed.Headers.Single().Value);
    }

    [Fact]
    public async Task Cases_lists_against_a_profile_whose_secret_is_not_set()
    {
        var path = Path.Combine(Path.GetTempPath(), $"uc-secret-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(path,
            "url: http://127.0.0.1/x\nheaders:\n  X-Token: ${UC_TEST_UNSET_VARIABLE}\nlimits:\n  maxFileBytes: 1MiB\n");
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var code = await Cli.Cli.RunAsync(["cases", "--profile", path], stdout, stderr, CancellationToken.None);
        Assert.True(code == 0, stderr.ToString());
        Assert.Contains("over the declared limits.maxFileBytes", stdout.ToString());
    }

    [Theory]
    [InlineData("{\"code\":0}", "$.code == 0", true)]
    [InlineData("{\"code\":0.0}", "$.code == 0", true)]
    [InlineData("{\"errno\":401}", "$.errno == 0", false)]
    [InlineData("{\"data\":{\"ok\":true}}", "$.data.ok == true", true)]
    [InlineData("{\"msg\":\"成功\"}", "$.msg == \"成功\"", true)]
    [InlineData("{\"msg\":\"成功\"}", "$.msg == 成功", true)]
    [InlineData("{\"list\":[{\"id\":7}]}", "$.list[0].id != 8", true)]
    [InlineData("{}", "$.code == 0", false)]
    public void Success_conditions_compare_JSON_values(string json, string condition, bool holds)
    {
        Assert.True(JsonCondition.TryParse(condition, out var parsed, out var error), error);
        using var document = JsonDocument.Parse(json);
        Assert.Equal(holds, parsed!.Holds(document.RootElement));
    }
}
