using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using UploadConformance.Results;
using UploadConformance.Verification;

namespace UploadConformance.Tests;

/// <summary>docs/results.schema.json and docs/results-schema.md are what the types write, and what
/// real runs write is valid against them. UPDATE_DOCS=1 rewrites the docs from the types.</summary>
public class ResultsSchemaTests(RunsFixture runs) : IClassFixture<RunsFixture>
{
    // Built once: the library keeps schemas by their $id and refuses a second one of the same id.
    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(ResultsSchema.JsonText()));

    private const string Begin = "<!-- generated: begin -->";
    private const string End = "<!-- generated: end -->";

    [Fact]
    public async Task The_schema_and_its_reference_in_docs_are_generated_from_the_types()
    {
        var jsonPath = Path.Combine(Repo.Root, "docs", "results.schema.json");
        var mdPath = Path.Combine(Repo.Root, "docs", "results-schema.md");
        var md = await File.ReadAllTextAsync(mdPath);
        var begin = md.IndexOf(Begin, StringComparison.Ordinal) + Begin.Length;
        var end = md.IndexOf(End, StringComparison.Ordinal);
        var generated = md[..begin] + "\n\n" + ResultsSchema.Markdown() + "\n" + md[end..];
        if (Environment.GetEnvironmentVariable("UPDATE_DOCS") == "1")
        {
            await File.WriteAllTextAsync(jsonPath, ResultsSchema.JsonText());
            await File.WriteAllTextAsync(mdPath, generated);
        }
        Assert.Equal(ResultsSchema.JsonText(), await File.ReadAllTextAsync(jsonPath));
        Assert.Equal(generated, await File.ReadAllTextAsync(mdPath));
    }

    [Fact]
    public void Every_field_has_a_meaning_and_every_meaning_a_field()
    {
        var fields = ResultsSchema.Fields();
        Assert.DoesNotContain(fields, f => !ResultsSchema.Descriptions.ContainsKey(f));
        var types = ResultsSchema.Descriptions.Keys.Where(k => !k.Contains('.')).ToHashSet();
        Assert.DoesNotContain(ResultsSchema.Descriptions.Keys, k => k.Contains('.') && !fields.Contains(k));
        Assert.DoesNotContain(fields.Select(f => f.Split('.')[0]).Distinct(), t => !types.Contains(t));
    }

    [Fact]
    public async Task Real_results_files_are_valid_and_every_check_name_is_documented()
    {
        var schema = Schema.Value;
        foreach (var dir in new[] { runs.Failing, runs.Load })
        {
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "results.json")));
            var result = schema.Evaluate(json.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
            Assert.True(result.IsValid, $"{dir}: "
                + string.Join("; ", (result.Details ?? []).Where(d => d.Errors is not null)
                .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")).Take(10)));
            var names = ResultsFile.Read(dir).Cases.SelectMany(c => c.Checks).Select(c => c.Name).Distinct();
            Assert.DoesNotContain(names, n => !CheckNames.IsKnown(n));
        }
    }

    [Fact]
    public async Task A_file_with_a_field_of_the_wrong_type_is_invalid()
    {
        var schema = Schema.Value;
        var json = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(runs.Failing, "results.json")))!;
        json["cases"]![0]!["verdict"] = "maybe";
        using var broken = JsonDocument.Parse(json.ToJsonString());
        Assert.False(schema.Evaluate(broken.RootElement).IsValid);
    }
}
