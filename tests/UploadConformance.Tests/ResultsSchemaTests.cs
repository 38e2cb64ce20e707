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
    public void Every_field_and_every_object_has_a_meaning_beside_it()
    {
        var undescribed = new List<string>();
        void Walk(System.Text.Json.Nodes.JsonNode? node, string path)
        {
            if (node is not System.Text.Json.Nodes.JsonObject schema) return;
            if (schema["properties"] is System.Text.Json.Nodes.JsonObject properties)
            {
                if (schema["title"] is null || schema["description"] is null) undescribed.Add($"{path} (an object)");
                foreach (var (name, child) in properties)
                {
                    if (child?["description"] is null) undescribed.Add($"{schema["title"]}.{name}");
                    Walk(child, $"{schema["title"]}.{name}");
                }
            }
            Walk(schema["items"], path);
            Walk(schema["additionalProperties"], path);
        }
        Walk(ResultsSchema.Json(), "results");
        Assert.Empty(undescribed);
        Assert.True(ResultsSchema.Fields().Count > 150);
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
