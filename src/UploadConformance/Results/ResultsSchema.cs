using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace UploadConformance.Results;

/// <summary>results.json's schema, generated from the types that write it (System.Text.Json's
/// JsonSchemaExporter) with each type's and field's meaning from the [Description] beside it, and the reference
/// in docs/ generated from that: docs/results.schema.json and the tables of docs/results-schema.md.
/// A test regenerates both and fails on any difference, and validates real results files against the
/// schema, so the docs cannot drift from what the tool writes.</summary>
public static class ResultsSchema
{
    public const string Id = "https://uploadconformance.dev/schemas/results-v1.json";

    /// <summary>The JSON Schema (draft 2020-12) of <see cref="ResultsDocument"/>.</summary>
    public static JsonObject Json()
    {
        // The writer's options, strict about numbers (it never writes them as strings) and honest about nulls.
        var options = new JsonSerializerOptions(ResultsJson.Options)
        {
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
            NumberHandling = JsonNumberHandling.Strict,
            RespectNullableAnnotations = true,
        };
        var exporter = new JsonSchemaExporterOptions
        {
            TreatNullObliviousAsNonNullable = true,
            TransformSchemaNode = (context, node) =>
            {
                if (node is not JsonObject schema) return node;
                // An object type is titled with its name wherever it appears, so a reader (and the tables) can tell
                // them apart.
                if (context.TypeInfo.Kind == JsonTypeInfoKind.Object
                    && TypeDescription(context.TypeInfo.Type) is not null)
                    schema.Insert(0, "title", context.TypeInfo.Type.Name);
                // Each description sits beside what it describes, as a [Description] on the type or property.
                var description = context.PropertyInfo is { } property
                    ? property.AttributeProvider?.GetCustomAttributes(typeof(DescriptionAttribute), true)
                        .OfType<DescriptionAttribute>().FirstOrDefault()?.Description
                    : TypeDescription(context.TypeInfo.Type);
                schema.Remove("description");
                if (description is not null) schema.Insert(schema.ContainsKey("title") ? 1 : 0, "description",
                    description);
                return schema;
            },
        };
        var root = (JsonObject)JsonSchemaExporter.GetJsonSchemaAsNode(options, typeof(ResultsDocument), exporter);
        root.Insert(0, "$schema", "https://json-schema.org/draft/2020-12/schema");
        root.Insert(1, "$id", Id);
        return root;
    }

    public static string JsonText() => Json().ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";

    /// <summary>Every field the exporter found, as "Type.field"; a test holds the table below to it.</summary>
    public static IReadOnlyList<string> Fields()
    {
        var fields = new List<string>();
        Walk(Json(), null, fields);
        return fields.Distinct().ToList();
    }

    private static void Walk(JsonNode? node, string? type, List<string> fields)
    {
        if (node is not JsonObject schema) return;
        if (schema["title"] is JsonValue title) type = title.GetValue<string>();
        if (schema["properties"] is JsonObject properties)
            foreach (var (name, child) in properties)
            {
                fields.Add($"{type}.{name}");
                Walk(child, type, fields);
            }
        Walk(schema["items"], type, fields);
        Walk(schema["additionalProperties"], type, fields);
    }

    /// <summary>The generated part of docs/results-schema.md: a table per object, a row per field.</summary>
    public static string Markdown()
    {
        var md = new StringBuilder();
        var sections = new List<(string Title, string Description, JsonObject Schema)>();
        Collect(Json(), sections);
        foreach (var (title, description, schema) in sections.DistinctBy(s => s.Title))
        {
            md.Append(CultureInfo.InvariantCulture,
                $"### `{title}`\n\n{description}\n\n| field | type | meaning |\n|---|---|---|\n");
            foreach (var (name, child) in (JsonObject)schema["properties"]!)
                md.Append(CultureInfo.InvariantCulture,
                    $"| `{name}` | {TypeOf(child)} | "
                    + $"{(child?["description"]?.GetValue<string>() ?? "").Replace("|", "\\|")} |\n");
            md.Append('\n');
        }
        md.Append(
            "### Check names\n\n`checks[].name` is one of these (`i` a number, `<name>` a field name); a compound "
            + "case prefixes "
            + "its uploads' checks with their label (`content-length.`, `chunked.`, `upload[i].`, `first.`, "
                + "`retry.`).\n\n| name | compares |\n|---|---|\n");
        foreach (var (pattern, meaning) in Verification.CheckNames.All) md.Append(CultureInfo.InvariantCulture,
            $"| `{pattern}` | {meaning} |\n");
        return md.ToString();
    }

    private static void Collect(JsonNode? node, List<(string, string, JsonObject)> sections)
    {
        if (node is not JsonObject schema) return;
        if (schema["title"] is JsonValue title && schema["properties"] is JsonObject)
            sections.Add(
                (title.GetValue<string>(), TypeDescription(title.GetValue<string>()), schema));
        if (schema["properties"] is JsonObject properties)
            foreach (var (_, child) in properties) Collect(child, sections);
        Collect(schema["items"], sections);
    }

    private static string TypeOf(JsonNode? node)
    {
        if (node is not JsonObject schema) return "";
        if (schema["enum"] is JsonArray values) return string.Join(" \\| ",
            values.Select(v => v is null ? "null" : $"`{v}`"));
        var types = schema["type"] switch
        {
            JsonArray array => array.Select(t => t!.GetValue<string>()).ToList(),
            JsonValue value => [value.GetValue<string>()],
            _ => [],
        };
        var named = types.Select(t => t switch
        {
            "object" when schema["title"] is JsonValue title => $"`{title}`",
            "object" when schema["additionalProperties"] is { } values => $"map of {TypeOf(values)}",
            "array" => $"array of {TypeOf(schema["items"])}",
            "string" when schema["format"] is JsonValue format => $"string ({format})",
            _ => t,
        });
        return string.Join(" or ", named);
    }

    /// <summary>A type's meaning, from the <see cref="DescriptionAttribute"/> beside its declaration.</summary>
    private static string? TypeDescription(Type type) => type.GetCustomAttribute<DescriptionAttribute>()?.Description;

    /// <summary>The described type that results.json's schema titles <paramref name="title"/>.</summary>
    private static string TypeDescription(string title) => DescribedTypes.Value.GetValueOrDefault(title) ?? "";

    private static readonly Lazy<Dictionary<string, string>> DescribedTypes = new(() =>
        typeof(ResultsDocument).Assembly.GetTypes()
            .Where(t => TypeDescription(t) is not null && t.Namespace?.StartsWith("UploadConformance.",
                StringComparison.Ordinal) == true)
            .ToDictionary(t => t.Name, t => TypeDescription(t)!));
}
