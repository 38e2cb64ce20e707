using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;
using UploadConformance.Verification;

namespace UploadConformance.Results;

/// <summary>The contract between stages: suites and the load engine write it, reports read it.
/// The schema is documented in docs/results-schema.md; bump <see cref="CurrentVersion"/> on any
/// change a reader could trip over.</summary>
[Description("The whole file: one run of one verb.")]
public sealed record ResultsDocument
{
    public const string SchemaName = "upload-conformance/results";
    public const int CurrentVersion = 1;

    [Description("Always `upload-conformance/results`.")]
    public string Schema { get; init; } = SchemaName;
    [Description("The schema version; readers refuse any other with one line.")]
    public int Version { get; init; } = CurrentVersion;
    [Description("What ran, where, when, and how it ended.")]
    public required RunInfo Run { get; init; }
    [Description("Verdict counts over `cases`.")]
    public required VerdictCounts Summary { get; init; }
    [Description("A result per case, in the order run (empty for `load`).")]
    public IReadOnlyList<CaseResult> Cases { get; init; } = [];
    [Description("The non-passing cases grouped by what went wrong, most cases first.")]
    public IReadOnlyList<Cause> Causes { get; init; } = [];
    /// <summary>Cases after which the server stopped answering, how long it stayed down, and whether it came
    /// back.</summary>
    [Description("Cases after which the server stopped answering `/health`.")]
    public IReadOnlyList<CrashInfo> Crashes { get; init; } = [];
    /// <summary>Present for a load run.</summary>
    [Description("The load run, for `load` and for `run`'s short load phase; null otherwise.")]
    public LoadResults? Load { get; init; }

    /// <summary>A document for <paramref name="cases"/>: verdict counts, causes and crashes read from them.</summary>
    public static ResultsDocument For(RunInfo run, IReadOnlyList<CaseResult> cases, LoadResults? load)
    {
        var (causes, numbered) = Verification.Causes.Group(cases);
        return new ResultsDocument
        {
            Run = run,
            Summary = VerdictCounts.Of(numbered),
            Cases = numbered,
            Causes = causes,
            Crashes = numbered.Where(c => c.Crash is not null).Select(c =>
            new CrashInfo(c.Id, c.Crash!.DownMs, c.Crash.Recovered)).ToList(),
            Load = load,
        };
    }
}

/// <summary>The server stopped answering after <paramref name="Case"/>.</summary>
[Description("A crash, listed for the run.")]
public sealed record CrashInfo(
    [property: Description("The case after which the server stopped answering.")]
    string Case,
    [property: Description("How long it stayed down.")]
    double DownMs,
    [property: Description("Whether it came back.")]
    bool Recovered);

[Description("The run itself.")]
public sealed record RunInfo
{
    [Description("The run folder's name, `<yyyyMMdd-HHmmss>-<verb>` unless `--out` named it.")]
    public required string Id { get; init; }
    [Description("`run`, `conform`, `load`, `upload`, or `merge` for a merged distributed run.")]
    public required string Verb { get; init; }
    [Description("When the run started, with offset.")]
    public required DateTimeOffset StartedAt { get; init; }
    [Description("When it finished.")]
    public DateTimeOffset FinishedAt { get; init; }
    [Description("How long it took, in milliseconds.")]
    public double DurationMs { get; init; }
    [Description("The upload URL.")]
    public required TargetInfo Target { get; init; }
    [Description("The seed: the same seed sends the same requests, byte for byte.")]
    public int Seed { get; init; }
    /// <summary>The target profile as used, header values redacted; null for the built-in default.</summary>
    [Description("The target profile as used (header values redacted); null for the default run and embedded load "
        + "runs.")]
    public ProfileInfo? Profile { get; init; }
    /// <summary>The suites and case filter the run was asked for.</summary>
    [Description("`conform`'s `--suite` and `--case`.")]
    public string? Selection { get; init; }
    /// <summary>How the client met TLS; null for plain HTTP with defaults.</summary>
    [Description("How the client met TLS; null for plain HTTP/1.1 with defaults.")]
    public TlsInfo? Tls { get; init; }
    /// <summary>Why the run stopped before the end (Ctrl-C, target gone); null when it completed.</summary>
    [Description("Why the run stopped early, or null: `interrupted by Ctrl-C`, `terminated by SIGTERM`, `target "
        + "stopped answering …`, `threshold breached: …`.")]
    public string? Interrupted { get; init; }
    [Description("The tool's name, version and runtime.")]
    public ToolInfo Tool { get; init; } = ToolInfo.Current;
    [Description("The machine the client ran on.")]
    public HostInfo Host { get; init; } = HostInfo.Current;
}

[Description("Where the uploads went.")]
public sealed record TargetInfo(
    [property: Description("The upload URL.")]
    string Url,
    [property: Description("True for the reference server the tool started itself.")]
    bool Embedded);

/// <summary><c>insecure</c> true means certificates were not checked, which every report says loudly.</summary>
[Description("TLS settings of the run.")]
public sealed record TlsInfo(
    [property: Description("True when certificates were not checked (`--insecure`); every report says so loudly.")]
    bool Insecure,
    [property: Description("The CA file trusted (`--ca`), or null.")]
    string? Ca,
    [property: Description("The HTTP version asked for: `HTTP/1.1` or `HTTP/2.0`.")]
    string Http)
{
    public static TlsInfo Of(Wire.TlsOptions tls) => new(tls.Insecure, tls.CaFile, $"HTTP/{tls.Http}");
}

[Description("The profile's declarations, as the run used them.")]
public sealed record ProfileInfo(
    [property: Description("The profile file, or null for the built-in one.")]
    string? Source,
    [property: Description("The file field (wx.uploadFile's `name`).")]
    string Field,
    [property: Description("True when any field name is taken.")]
    bool AnyField,
    [property: Description("Headers sent with every request, names only: values are never written.")]
    IReadOnlyList<string> Headers,
    [property: Description("`limits.maxFileBytes`.")]
    long? MaxFileBytes,
    [property: Description("`limits.maxParts`.")]
    int? MaxParts,
    [property: Description("`limits.maxFieldBytes`.")]
    int? MaxFieldBytes,
    [property: Description("The statuses that mean success.")]
    IReadOnlyList<int> SuccessStatus,
    [property: Description("The JSON conditions success needs too.")]
    IReadOnlyList<string> SuccessJson,
    [property: Description("`limits.maxFiles`.")]
    int? MaxFiles = null,
    [property: Description("`limits.maxRequestBytes`.")]
    long? MaxRequestBytes = null,
    [property: Description("The fetch-back URL template, or null.")]
    string? Fetch = null)
{
    public static ProfileInfo Of(Targets.TargetProfile p) => new(
        p.Source, p.Field, p.AnyField, p.RedactedHeaders, p.Limits.MaxFileBytes, p.Limits.MaxParts,
        p.Limits.MaxFieldBytes,
        p.Success.Status, p.Success.Json.Select(j => j.ToString()).ToList(), p.Limits.MaxFiles,
        p.Limits.MaxRequestBytes, p.Fetch);
}

[Description("This tool.")]
public sealed record ToolInfo(
    [property: Description("`UploadConformance`.")]
    string Name,
    [property: Description("Its version.")]
    string Version,
    [property: Description("The .NET runtime it ran on.")]
    string Runtime)
{
    public static readonly ToolInfo Current = new(
        "UploadConformance",
        typeof(ToolInfo).Assembly.GetName().Version?.ToString(3) ?? "0.0.0",
        System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription);
}

[Description("The client machine.")]
public sealed record HostInfo(
    [property: Description("Its operating system.")]
    string Os,
    [property: Description("Its processor count.")]
    int Cores)
{
    public static readonly HostInfo Current =
        new(System.Runtime.InteropServices.RuntimeInformation.OSDescription, Environment.ProcessorCount);
}

[Description("Counts over the cases.")]
public sealed record VerdictCounts(
    [property: Description("Cases run.")]
    int Total,
    [property: Description("Cases that passed.")]
    int Pass,
    [property: Description("Safe but imperfect answers.")]
    int NonStrict,
    [property: Description("Wrong stored data, a 5xx, a crash, a hang, no answer, or a security hole.")]
    int Fail,
    [property: Description("Lawful readings with no single right answer.")]
    int Informational,
    [property: Description("Distinct causes among the non-passes.")]
    int Causes = 0,
    [property: Description("Times the server stopped answering after a case.")]
    int Crashes = 0)
{
    public static VerdictCounts Of(IReadOnlyCollection<CaseResult> cases) => new(
        cases.Count,
        cases.Count(c => c.Verdict == Verdict.Pass),
        cases.Count(c => c.Verdict == Verdict.NonStrict),
        cases.Count(c => c.Verdict == Verdict.Fail),
        cases.Count(c => c.Verdict == Verdict.Informational),
        cases.Where(c => c.Cause is not null).Select(c => c.Cause).Distinct().Count(),
        cases.Count(c => c.Crash is not null));
}

public static class ResultsJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };
}

/// <summary>A results file that cannot be used, with a message fit for one line of console output.</summary>
public sealed class ResultsFileException(string message) : Exception(message);

public static class ResultsFile
{
    public const string FileName = "results.json";

    public static async Task<string> WriteAsync(ResultsDocument document, string directory)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, FileName);
        var temp = path + ".tmp";
        await using (var stream = File.Create(temp))
            await JsonSerializer.SerializeAsync(stream, document, ResultsJson.Options).ConfigureAwait(false);
        File.Move(temp, path, overwrite: true);
        return path;
    }

    public static ResultsDocument Read(string path)
    {
        if (Directory.Exists(path)) path = Path.Combine(path, FileName);
        if (!File.Exists(path)) throw new ResultsFileException($"{path}: no such results file");
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new ResultsFileException($"{path}: not valid JSON ({e.Message.ReplaceLineEndings(" ")})");
        }
        using (json)
        {
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("schema", out var schema)
                || schema.GetString() != ResultsDocument.SchemaName)
                throw new ResultsFileException(
                    $"{path}: not an UploadConformance results file (no \"schema\": \"{ResultsDocument.SchemaName}\")");
            if (!root.TryGetProperty("version", out var version) || !version.TryGetInt32(out var v)
                || v != ResultsDocument.CurrentVersion)
                throw new ResultsFileException($"{path}: results schema version "
                    + $"{(root.TryGetProperty("version", out var x) ? x.ToString() : "missing")}; this build reads "
                    + $"version {ResultsDocument.CurrentVersion}");
            try
            {
                return root.Deserialize<ResultsDocument>(ResultsJson.Options)
                    ?? throw new ResultsFileException($"{path}: empty results file");
            }
            catch (JsonException e)
            {
                throw new ResultsFileException(
                    $"{path}: does not match schema version {v} ({e.Message.ReplaceLineEndings(" ")})");
            }
        }
    }
}
