namespace UploadConformance.Targets;

/// <summary>How a user describes their endpoint: where it is, what field it wants, what success means,
/// where its answer echoes what it stored, and the limits it declares.</summary>
public sealed record TargetProfile
{
    public required Uri Url { get; init; }
    /// <summary>The field the server takes the file from.</summary>
    public string Field { get; init; } = "images";
    /// <summary>True when the server stores a file under any field name.</summary>
    public bool AnyField { get; init; }
    /// <summary>Sent with every request; values may hold secrets and are never printed or written.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];
    public SuccessRule Success { get; init; } = new();
    public EchoPaths Echo { get; init; } = new();
    /// <summary>GET the stored file back and compare the bytes.</summary>
    public bool FetchBack { get; init; } = true;
    /// <summary>Where a stored file is fetched back when the answer gives no URL: a template such as
    /// <c>/files/{sha256}</c> or <c>https://cdn.example.com/{$.data.key}</c> (see <see
    /// cref="FetchTemplate"/>).
    /// When set, it is used instead of the echoed URL.</summary>
    public string? Fetch { get; init; }
    /// <summary>Reference-style counters (<c>/stats</c>), relative to the upload URL; null when there are
    /// none.</summary>
    public string? Stats { get; init; } = "/stats";
    public string? Health { get; init; } = "/health";
    public DeclaredLimits Limits { get; init; } = new();
    /// <summary>How an upload really happens: a login, a credential, the upload, a confirm. Without
    /// <c>steps</c> it is the one POST to <see cref="Url"/>.</summary>
    public Flow Flow { get; init; } = Flow.OnePost;
    /// <summary>The object store the upload goes straight to (<see cref="ObjectStorage"/>), or none.</summary>
    public StorageKind Storage { get; init; }
    /// <summary>Where the profile came from, for reports; null for the built-in default.</summary>
    public string? Source { get; init; }

    public Uri? StatsUrl => Stats is null ? null : new Uri(Url, Stats);
    public Uri HealthUrl => new(Url, Health ?? "/");

    /// <summary>Names of the headers with their values hidden, for reports.</summary>
    public IReadOnlyList<string> RedactedHeaders => Headers.Select(h => $"{h.Key}: ***").ToList();

    /// <summary>The profile of the built-in reference server at <paramref name="url"/>.</summary>
    public static TargetProfile Reference(Uri url, bool anyField = false, long maxFileBytes = 64L << 20) => new()
    {
        Url = url,
        AnyField = anyField,
        Limits = new DeclaredLimits { MaxFileBytes = maxFileBytes, MaxParts = 1000, MaxFieldBytes = 2 << 20 },
    };
}

public sealed record SuccessRule
{
    public IReadOnlyList<int> Status { get; init; } = [200, 201];
    public IReadOnlyList<JsonCondition> Json { get; init; } = [JsonCondition.Parse("$.code == 0")];

    /// <summary>An expected status and every JSON condition holding. A success status whose JSON says
    /// otherwise is a business error inside a 200, named in <paramref name="businessError"/>.</summary>
    public bool Holds(Wire.UploadOutcome outcome, out string? businessError)
    {
        var reading = Read(outcome);
        businessError = reading.Kind is AnswerKind.BusinessError or AnswerKind.Unreadable ? reading.Detail : null;
        return reading.Kind == AnswerKind.Success;
    }

    /// <summary>What an answer says by this rule: success, a refusal in the status, a refusal inside a
    /// success status (a business error), or a success status with an answer the rule cannot read.</summary>
    public AnswerReading Read(Wire.UploadOutcome outcome)
    {
        if (outcome.StatusCode is not { } status || !Status.Contains(status)) return new(AnswerKind.Refusal, null);
        if (Json.Count == 0) return new(AnswerKind.Success, null);
        if (outcome.DataTruncated) return new(AnswerKind.Unreadable,
            $"{status} with an answer over {Wire.AnswerBody.MaxBytes} bytes");
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(outcome.Data ?? "");
            var failed = Json.FirstOrDefault(c => !c.Holds(document.RootElement));
            return failed is null
                ? new(AnswerKind.Success, null)
                : new(AnswerKind.BusinessError,
                    $"business error inside a {status}: {failed.Path} is {failed.Describe(document.RootElement)}");
        }
        catch (System.Text.Json.JsonException)
        {
            var data = outcome.Data ?? "nothing";
            return new(AnswerKind.Unreadable,
                $"{status} with an answer that is not JSON: "
                + $"{(data.Length > 80 ? data[..80] + "…" : data).ReplaceLineEndings(" ")}");
        }
    }
}

public enum AnswerKind { Success, Refusal, BusinessError, Unreadable }

public readonly record struct AnswerReading(AnswerKind Kind, string? Detail);

/// <summary>JSON paths into a success answer; a null path means the server does not echo that.</summary>
public sealed record EchoPaths
{
    /// <summary>An array with one entry per stored file; each entry is read with the file paths below.
    /// When absent, the answer's <see cref="File"/> object describes the one file.</summary>
    public string? Files { get; init; } = "$.data.files";
    public string? File { get; init; } = "$.data";
    public string? Size { get; init; } = "$.size";
    public string? Sha256 { get; init; } = "$.sha256";
    public string? Url { get; init; } = "$.url";
    public string? Filename { get; init; } = "$.filename";
    public string? Field { get; init; } = "$.field";
    public string? ContentType { get; init; } = "$.contentType";
    /// <summary>The formData the server received: an array of <c>{name, value}</c> objects in the order
    /// received, or an object of fields, flat or with bracket names decoded (the verifier's FieldsEcho
    /// reads either).</summary>
    public string? Fields { get; init; } = "$.data.fields";
}

/// <summary>What the endpoint declares it refuses. Every case is graded against these: a request over
/// one expects a limit refusal, however ordinary it is otherwise.</summary>
public sealed record DeclaredLimits
{
    /// <summary>The largest file it stores.</summary>
    public long? MaxFileBytes { get; init; }
    /// <summary>Files in one request; most endpoints take one.</summary>
    public int? MaxFiles { get; init; }
    /// <summary>The largest request body (nginx's client_max_body_size, PHP's post_max_size).</summary>
    public long? MaxRequestBytes { get; init; }
    /// <summary>Parts in one request, files and fields together.</summary>
    public int? MaxParts { get; init; }
    /// <summary>The largest text field.</summary>
    public int? MaxFieldBytes { get; init; }
    public int OverLimitStatus { get; init; } = 413;
}
