using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace UploadConformance.Results;

/// <summary>results.json's schema, generated from the types that write it (System.Text.Json's
/// JsonSchemaExporter) with each field's meaning from <see cref="Descriptions"/>, and the reference
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
                    && Descriptions.ContainsKey(context.TypeInfo.Type.Name))
                    schema.Insert(0, "title", context.TypeInfo.Type.Name);
                var description = context.PropertyInfo is { } property
                    ? Descriptions.GetValueOrDefault($"{property.DeclaringType.Name}.{property.Name}")
                    : Descriptions.GetValueOrDefault(context.TypeInfo.Type.Name);
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
                (title.GetValue<string>(), Descriptions.GetValueOrDefault(title.GetValue<string>()) ?? "", schema));
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

    /// <summary>What each type and field means. Keyed by type, and by "Type.jsonName" for fields.</summary>
    public static readonly IReadOnlyDictionary<string, string> Descriptions =
        new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ResultsDocument"] = "The whole file: one run of one verb.",
        ["ResultsDocument.schema"] = "Always `upload-conformance/results`.",
        ["ResultsDocument.version"] = "The schema version; readers refuse any other with one line.",
        ["ResultsDocument.run"] = "What ran, where, when, and how it ended.",
        ["ResultsDocument.summary"] = "Verdict counts over `cases`.",
        ["ResultsDocument.cases"] = "A result per case, in the order run (empty for `load`).",
        ["ResultsDocument.causes"] = "The non-passing cases grouped by what went wrong, most cases first.",
        ["ResultsDocument.crashes"] = "Cases after which the server stopped answering `/health`.",
        ["ResultsDocument.load"] = "The load run, for `load` and for `run`'s short load phase; null otherwise.",
        ["RunInfo"] = "The run itself.",
        ["RunInfo.id"] = "The run folder's name, `<yyyyMMdd-HHmmss>-<verb>` unless `--out` named it.",
        ["RunInfo.verb"] = "`run`, `conform`, `load`, `upload`, or `merge` for a merged distributed run.",
        ["RunInfo.startedAt"] = "When the run started, with offset.",
        ["RunInfo.finishedAt"] = "When it finished.",
        ["RunInfo.durationMs"] = "How long it took, in milliseconds.",
        ["RunInfo.target"] = "The upload URL.",
        ["RunInfo.seed"] = "The seed: the same seed sends the same requests, byte for byte.",
        ["RunInfo.profile"] =
        "The target profile as used (header values redacted); null for the default run and embedded load runs.",
        ["RunInfo.selection"] = "`conform`'s `--suite` and `--case`.",
        ["RunInfo.tls"] = "How the client met TLS; null for plain HTTP/1.1 with defaults.",
        ["RunInfo.interrupted"] =
        "Why the run stopped early, or null: `interrupted by Ctrl-C`, `terminated by SIGTERM`, "
            + "`target stopped answering …`, `threshold breached: …`.",
        ["RunInfo.tool"] = "The tool's name, version and runtime.",
        ["RunInfo.host"] = "The machine the client ran on.",
        ["TargetInfo"] = "Where the uploads went.",
        ["TargetInfo.url"] = "The upload URL.",
        ["TargetInfo.embedded"] = "True for the reference server the tool started itself.",
        ["TlsInfo"] = "TLS settings of the run.",
        ["TlsInfo.insecure"] = "True when certificates were not checked (`--insecure`); every report says so loudly.",
        ["TlsInfo.ca"] = "The CA file trusted (`--ca`), or null.",
        ["TlsInfo.http"] = "The HTTP version asked for: `HTTP/1.1` or `HTTP/2.0`.",
        ["ProfileInfo"] = "The profile's declarations, as the run used them.",
        ["ProfileInfo.source"] = "The profile file, or null for the built-in one.",
        ["ProfileInfo.field"] = "The file field (wx.uploadFile's `name`).",
        ["ProfileInfo.anyField"] = "True when any field name is taken.",
        ["ProfileInfo.headers"] = "Headers sent with every request, names only: values are never written.",
        ["ProfileInfo.maxFileBytes"] = "`limits.maxFileBytes`.",
        ["ProfileInfo.maxParts"] = "`limits.maxParts`.",
        ["ProfileInfo.maxFieldBytes"] = "`limits.maxFieldBytes`.",
        ["ProfileInfo.successStatus"] = "The statuses that mean success.",
        ["ProfileInfo.successJson"] = "The JSON conditions success needs too.",
        ["ProfileInfo.maxFiles"] = "`limits.maxFiles`.",
        ["ProfileInfo.maxRequestBytes"] = "`limits.maxRequestBytes`.",
        ["ProfileInfo.fetch"] = "The fetch-back URL template, or null.",
        ["ToolInfo"] = "This tool.",
        ["ToolInfo.name"] = "`UploadConformance`.",
        ["ToolInfo.version"] = "Its version.",
        ["ToolInfo.runtime"] = "The .NET runtime it ran on.",
        ["HostInfo"] = "The client machine.",
        ["HostInfo.os"] = "Its operating system.",
        ["HostInfo.cores"] = "Its processor count.",
        ["VerdictCounts"] = "Counts over the cases.",
        ["VerdictCounts.total"] = "Cases run.",
        ["VerdictCounts.pass"] = "Cases that passed.",
        ["VerdictCounts.nonStrict"] = "Safe but imperfect answers.",
        ["VerdictCounts.fail"] = "Wrong stored data, a 5xx, a crash, a hang, no answer, or a security hole.",
        ["VerdictCounts.informational"] = "Lawful readings with no single right answer.",
        ["VerdictCounts.causes"] = "Distinct causes among the non-passes.",
        ["VerdictCounts.crashes"] = "Times the server stopped answering after a case.",
        ["CaseResult"] = "One case's verdict with its evidence.",
        ["CaseResult.id"] = "Stable: `<suite>.<what>`; reports and comparisons key on it.",
        ["CaseResult.suite"] = "The suite.",
        ["CaseResult.description"] = "One line: what the case sends.",
        ["CaseResult.expectation"] =
        "What the case expected of this target, its declared limits applied, in one sentence.",
        ["CaseResult.verdict"] = "The verdict by the catalog's rule (suites/README.md).",
        ["CaseResult.severity"] = "For a fail: `soft` for a plain 5xx, `hard` for anything else; null otherwise.",
        ["CaseResult.reason"] = "One line for every non-pass; empty for a pass.",
        ["CaseResult.request"] = "What was sent.",
        ["CaseResult.outcome"] = "What the client saw.",
        ["CaseResult.checks"] = "The evidence: every comparison made, with both sides.",
        ["CaseResult.durationMs"] = "How long the case took, checks and health probe included.",
        ["CaseResult.cause"] = "The `causes[].id` this non-pass belongs to; null for a pass.",
        ["CaseResult.crash"] = "Set when the server stopped answering after this case.",
        ["RequestSummary"] = "A case's request.",
        ["RequestSummary.method"] = "`POST`.",
        ["RequestSummary.url"] = "Where it went.",
        ["RequestSummary.platform"] =
        "`wechat`, `wechat-legacy`, `alipay`, `uniapp-h5` or `taro-h5`; null for raw-socket and compound cases.",
        ["RequestSummary.field"] = "The file's field name; empty for compound cases.",
        ["RequestSummary.files"] = "The file parts.",
        ["RequestSummary.formDataEncoding"] =
        "How nested formData became fields; null for raw-socket and compound cases.",
        ["RequestSummary.fieldCount"] = "Text fields sent.",
        ["RequestSummary.boundary"] = "The multipart boundary; null for raw-socket and compound cases.",
        ["RequestSummary.framing"] = "Content-Length or chunked; null for raw-socket and compound cases.",
        ["RequestSummary.bodyBytes"] = "Body length in bytes (0 for compound cases).",
        ["RequestSummary.timeoutMs"] = "The client timeout.",
        ["RequestSummary.abortAt"] = "Where the client aborts (`50 %`, `1048576 B`), or null.",
        ["RequestSummary.rateCapBytesPerSecond"] = "A slow link's rate, or null.",
        ["RequestSummary.wire"] = "For raw-socket and compound cases: what was sent, in words.",
        ["FileSummary"] = "One file part.",
        ["FileSummary.fileName"] = "The filename sent.",
        ["FileSummary.contentType"] = "The part's Content-Type.",
        ["FileSummary.size"] = "Bytes.",
        ["FileSummary.sha256"] = "SHA-256 of the bytes, hex.",
        ["FileSummary.payload"] = "What the bytes are: an image kind, a generated payload, a file.",
        ["OutcomeSummary"] = "What the client saw, in wx.uploadFile's terms.",
        ["OutcomeSummary.errMsg"] =
        "`uploadFile:ok`, or `uploadFile:fail timeout`, `abort`, `connection refused`, `socket closed`, ….",
        ["OutcomeSummary.failure"] = "Why there was no answer; `none` when there was one, whatever its status.",
        ["OutcomeSummary.status"] = "The HTTP status; null when there was no answer.",
        ["OutcomeSummary.elapsedMs"] = "From the call to the answer's end.",
        ["OutcomeSummary.bytesSent"] = "Body bytes that left.",
        ["OutcomeSummary.bytesExpected"] = "Body bytes the request had.",
        ["OutcomeSummary.bodyExcerpt"] =
        "The answer's first 2,000 characters, as the server sent them (escaped in every report).",
        ["OutcomeSummary.error"] = "The one-line cause when the request failed.",
        ["OutcomeSummary.contentType"] = "The answer's Content-Type.",
        ["OutcomeSummary.protocol"] = "The protocol the answer came over: `HTTP/1.1` or `HTTP/2.0`.",
        ["Check"] = "One comparison.",
        ["Check.name"] = "What was compared (see Check names).",
        ["Check.ok"] = "Whether it held; a check that could not be made counts as ok.",
        ["Check.expected"] = "What was wanted.",
        ["Check.actual"] = "What was found, or why it could not be checked.",
        ["Check.checked"] = "False when the target offers no way to check (no /stats, no URL to fetch back).",
        ["Check.harmless"] =
            "Present and true on a check that did not hold but lost nothing (a field renamed by the stack's "
            + "documented rule): it makes the verdict non-strict, never a fail.",
        ["CrashRecord"] = "A crash, on the case that caused it.",
        ["CrashRecord.downMs"] = "How long `/health` stayed down (until it came back or the run gave up).",
        ["CrashRecord.recovered"] = "Whether it came back within `--recovery`.",
        ["Cause"] = "Non-passes that failed the same way: the same verdict and the same kind of failure (a leaked "
            + "stack, a stored difference of one kind, kept data, or the same rule, status and hint).",
        ["Cause.id"] = "Its number, most cases first.",
        ["Cause.verdict"] = "`fail` or `non-strict`.",
        ["Cause.signature"] = "What its cases share, sizes, names and numbers masked.",
        ["Cause.cases"] = "The ids of its cases.",
        ["Cause.example"] = "The first case's reason and answer.",
        ["Cause.hint"] = "The usual fix, for a well-known pattern; null otherwise.",
        ["CrashInfo"] = "A crash, listed for the run.",
        ["CrashInfo.case"] = "The case after which the server stopped answering.",
        ["CrashInfo.downMs"] = "How long it stayed down.",
        ["CrashInfo.recovered"] = "Whether it came back.",
        ["LoadResults"] = "A load run: totals, a row per request name, a row per second, thresholds.",
        ["LoadResults.scenario"] = "The scenario's name.",
        ["LoadResults.source"] = "Its file.",
        ["LoadResults.model"] = "`open` or `closed`.",
        ["LoadResults.simulations"] = "The load simulations, as NBomber writes them.",
        ["LoadResults.durationMs"] = "How long the load ran.",
        ["LoadResults.connections"] = "Connections opened.",
        ["LoadResults.tlsHandshakes"] = "Full TLS handshakes (≤ connections; resumed sessions are not counted).",
        ["LoadResults.connectMs"] =
        "TCP connect times of the connections, apart from uploads; null when none were measured.",
        ["LoadResults.tlsHandshakeMs"] = "TLS handshake times, apart from connect and upload; null on http://.",
        ["LoadResults.connectHistogram"] =
            "The connect times as an HdrHistogram (compressed V2, base64, microseconds), so split runs merge them.",
        ["LoadResults.tlsHandshakeHistogram"] = "The TLS handshake times, likewise.",
        ["LoadResults.segment"] =
            "`i/n` when this run was generator i (from 0) of a run split across n (`load --segment`, `worker`).",
        ["LoadResults.workers"] =
            "A merged run's generators (`coordinate`, `merge`); null for one machine's run.",
        ["LoadResults.clients"] = "Requests sent by each client.",
        ["LoadResults.all"] = "Every request name together.",
        ["LoadResults.names"] = "A row per request name.",
        ["LoadResults.series"] = "A row per second of the run, by completion.",
        ["LoadResults.thresholds"] = "Each threshold with its actual value.",
        ["LatencySummary"] = "Percentiles in milliseconds.",
        ["LatencySummary.p50"] = "Median.",
        ["LatencySummary.p75"] = "75th percentile.",
        ["LatencySummary.p90"] = "90th percentile.",
        ["LatencySummary.p95"] = "95th percentile.",
        ["LatencySummary.p99"] = "99th percentile.",
        ["LatencySummary.p999"] = "99.9th percentile.",
        ["LatencySummary.max"] = "The largest.",
        ["LatencySummary.mean"] = "The mean.",
        ["WorkerResults"] = "One generator of a merged run.",
        ["WorkerResults.index"] = "Its share's number, from 0.",
        ["WorkerResults.name"] = "The name it registered with (a pod's name), or its run folder's.",
        ["WorkerResults.segment"] = "Its share, `i/n`.",
        ["WorkerResults.requests"] = "Requests it finished.",
        ["WorkerResults.ok"] = "Of them, successes.",
        ["WorkerResults.failed"] = "Of them, failures.",
        ["WorkerResults.dropped"] = "Iterations it dropped.",
        ["WorkerResults.bytesSent"] = "Request body bytes it sent.",
        ["WorkerResults.connections"] = "Connections it opened.",
        ["WorkerResults.durationMs"] = "How long it ran.",
        ["WorkerResults.clockOffsetMs"] = "The coordinator's clock minus its own, as it measured it; null offline.",
        ["WorkerResults.lost"] =
            "Why it did not finish its share (lost: stopped reporting; interrupted: stopped on its own); null "
            + "when it did. What it sent before is in the merge.",
        ["ClientShare"] = "Requests per client.",
        ["ClientShare.lean"] = "Sent by the lean HTTP/1.1 client.",
        ["ClientShare.httpClient"] = "Sent by HttpClient (HTTP/2, aborts, pacing, chunked).",
        ["LoadNameResults"] = "One request name's totals (or all names, as `all`).",
        ["LoadNameResults.name"] = "The request shape's name, or `all`.",
        ["LoadNameResults.requests"] = "Requests finished.",
        ["LoadNameResults.ok"] = "Answered with success, checks holding.",
        ["LoadNameResults.failed"] = "Failed.",
        ["LoadNameResults.abortedByScenario"] = "Aborted on purpose by the scenario.",
        ["LoadNameResults.dropped"] = "Iterations not started because every in-flight slot was busy.",
        ["LoadNameResults.rps"] = "Requests per second of the run.",
        ["LoadNameResults.errorRatePercent"] = "Failed over requests not aborted on purpose, in percent.",
        ["LoadNameResults.bytesSent"] = "Request body bytes sent.",
        ["LoadNameResults.bytesReceived"] = "Answer body bytes received.",
        ["LoadNameResults.fileBytesStored"] = "File bytes of successful uploads.",
        ["LoadNameResults.statuses"] = "Answers by status code.",
        ["LoadNameResults.errors"] =
        "Failures by kind: `timeout`, `refused`, `reset`, `aborted`, `status <n>`, `check failed`.",
        ["LoadNameResults.failedChecks"] =
        "Failed checks by reason: `size differs`, `sha256 differs`, `answer is not JSON`.",
        ["LoadNameResults.latency"] = "Latency from each request's intended start (coordinated omission corrected).",
        ["LoadNameResults.serviceTime"] = "Service time, from the first body byte.",
        ["LoadNameResults.latencyHistogram"] =
        "HdrHistogram's compressed V2 encoding, base64, microseconds: decode, add, read any percentile.",
        ["LoadNameResults.serviceTimeHistogram"] = "The same, for service time.",
        ["SecondStats"] = "One second of a load run.",
        ["SecondStats.second"] = "Seconds since the load started.",
        ["SecondStats.requests"] = "Requests finished in it.",
        ["SecondStats.ok"] = "Of them, successes.",
        ["SecondStats.failed"] = "Of them, failures.",
        ["SecondStats.dropped"] = "Iterations dropped in it.",
        ["SecondStats.bytesSent"] = "Request body bytes sent.",
        ["SecondStats.bytesReceived"] = "Answer body bytes received.",
        ["SecondStats.p50Ms"] = "Median latency from the intended start.",
        ["SecondStats.p95Ms"] = "95th percentile latency.",
        ["SecondStats.p99Ms"] = "99th percentile latency.",
        ["SecondStats.maxMs"] = "The slowest.",
        ["SecondStats.histogram"] =
        "The second's latency histogram, encoded as `latencyHistogram`; seconds merge exactly.",
        ["SecondStats.serviceP50Ms"] = "Median service time.",
        ["SecondStats.serviceP95Ms"] = "95th percentile service time.",
        ["SecondStats.serviceP99Ms"] = "99th percentile service time.",
        ["SecondStats.serviceMaxMs"] = "The slowest service time.",
        ["SecondStats.serviceHistogram"] =
            "That second's service times as an HdrHistogram, likewise (null in files from before it was written).",
        ["ThresholdResult"] = "A threshold and how it came out.",
        ["ThresholdResult.text"] = "As written in the scenario.",
        ["ThresholdResult.scope"] = "The request name it is scoped to, or null.",
        ["ThresholdResult.metric"] = "The metric (a `raw_` name is read as `service_`).",
        ["ThresholdResult.actual"] = "The value measured.",
        ["ThresholdResult.passed"] = "Whether the threshold held.",
    };
}
