using System.Text.Json;
using System.Text.Json.Serialization;
using UploadConformance.Verification;

namespace UploadConformance.Results;

/// <summary>The contract between stages: suites and the load engine write it, reports read it.
/// The schema is documented in docs/results-schema.md; bump <see cref="CurrentVersion"/> on any
/// change a reader could trip over.</summary>
public sealed record ResultsDocument
{
    public const string SchemaName = "upload-conformance/results";
    public const int CurrentVersion = 1;

    public string Schema { get; init; } = SchemaName;
    public int Version { get; init; } = CurrentVersion;
    public required RunInfo Run { get; init; }
    public required VerdictCounts Summary { get; init; }
    public IReadOnlyList<CaseResult> Cases { get; init; } = [];
    /// <summary>The non-passing cases grouped by what went wrong, most cases first.</summary>
    public IReadOnlyList<Cause> Causes { get; init; } = [];
    /// <summary>Cases after which the server stopped answering, how long it stayed down, and whether it came
    /// back.</summary>
    public IReadOnlyList<CrashInfo> Crashes { get; init; } = [];
    /// <summary>Present for a load run.</summary>
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
public sealed record CrashInfo(string Case, double DownMs, bool Recovered);

public sealed record RunInfo
{
    public required string Id { get; init; }
    public required string Verb { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset FinishedAt { get; init; }
    public double DurationMs { get; init; }
    public required TargetInfo Target { get; init; }
    public int Seed { get; init; }
    /// <summary>The target profile as used, header values redacted; null for the built-in default.</summary>
    public ProfileInfo? Profile { get; init; }
    /// <summary>The suites and case filter the run was asked for.</summary>
    public string? Selection { get; init; }
    /// <summary>How the client met TLS; null for plain HTTP with defaults.</summary>
    public TlsInfo? Tls { get; init; }
    /// <summary>Why the run stopped before the end (Ctrl-C, target gone); null when it completed.</summary>
    public string? Interrupted { get; init; }
    public ToolInfo Tool { get; init; } = ToolInfo.Current;
    public HostInfo Host { get; init; } = HostInfo.Current;
}

public sealed record TargetInfo(string Url, bool Embedded);

/// <summary><c>insecure</c> true means certificates were not checked, which every report says loudly.</summary>
public sealed record TlsInfo(bool Insecure, string? Ca, string Http)
{
    public static TlsInfo Of(Wire.TlsOptions tls) => new(tls.Insecure, tls.CaFile, $"HTTP/{tls.Http}");
}

public sealed record ProfileInfo(string? Source, string Field, bool AnyField, IReadOnlyList<string> Headers,
    long? MaxFileBytes, int? MaxParts,
    int? MaxFieldBytes, IReadOnlyList<int> SuccessStatus, IReadOnlyList<string> SuccessJson, int? MaxFiles = null,
    long? MaxRequestBytes = null,
    string? Fetch = null)
{
    public static ProfileInfo Of(Targets.TargetProfile p) => new(
        p.Source, p.Field, p.AnyField, p.RedactedHeaders, p.Limits.MaxFileBytes, p.Limits.MaxParts,
        p.Limits.MaxFieldBytes,
        p.Success.Status, p.Success.Json.Select(j => j.ToString()).ToList(), p.Limits.MaxFiles,
        p.Limits.MaxRequestBytes, p.Fetch);
}

public sealed record ToolInfo(string Name, string Version, string Runtime)
{
    public static readonly ToolInfo Current = new(
        "UploadConformance",
        typeof(ToolInfo).Assembly.GetName().Version?.ToString(3) ?? "0.0.0",
        System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription);
}

public sealed record HostInfo(string Os, int Cores)
{
    public static readonly HostInfo Current =
        new(System.Runtime.InteropServices.RuntimeInformation.OSDescription, Environment.ProcessorCount);
}

public sealed record VerdictCounts(int Total, int Pass, int NonStrict, int Fail, int Informational, int Causes = 0,
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
