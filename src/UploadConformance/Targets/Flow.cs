using System.Text.Json.Nodes;

namespace UploadConformance.Targets;

/// <summary>How an upload really happens: steps before it (a login for a token, a credential per upload),
/// the upload itself with what those steps gave, and steps after it (a confirm). The profile without
/// <c>steps</c> is the flow of one step, the upload: <see cref="OnePost"/>.</summary>
public sealed record Flow
{
    /// <summary>Before the upload, in order; steps run once (per run or per user) come first.</summary>
    public IReadOnlyList<FlowStep> Before { get; init; } = [];
    public UploadStep Upload { get; init; } = new();
    public IReadOnlyList<FlowStep> After { get; init; } = [];

    public static readonly Flow OnePost = new();

    public bool IsOnePost => Before.Count == 0 && After.Count == 0 && Upload.IsPlain;

    /// <summary>The steps run once rather than per upload: the login.</summary>
    public IEnumerable<FlowStep> Once => Before.Where(s => s.Scope != StepScope.Upload);

    public IEnumerable<FlowStep> PerUpload => Before.Where(s => s.Scope == StepScope.Upload);

    /// <summary>Every step by name, the upload included, in the order they run.</summary>
    public IEnumerable<string> StepNames => Before.Select(s => s.Name).Append(Upload.Name)
        .Concat(After.Select(s => s.Name));

    /// <summary>True when some step sends what another captured for this upload: each upload's request
    /// then differs, and cannot be built once before a load run.</summary>
    public bool VariesPerUpload => PerUpload.Any() || !Upload.IsPlain;
}

/// <summary>When a step runs: before every upload, once per virtual user (an app's session), or once for
/// the whole run (k6's <c>setup()</c>).</summary>
public enum StepScope { Upload, User, Run }

/// <summary>One request of a flow: the method, a URL, headers and a JSON or form body, each a template in
/// which <c>{name}</c> is a value captured earlier or a fact of the upload (<see cref="StepTemplate"/>),
/// and what it captures from its answer.</summary>
public sealed record FlowStep
{
    public required string Name { get; init; }
    public StepScope Scope { get; init; } = StepScope.Upload;
    public string Method { get; init; } = "GET";
    public required string Url { get; init; }
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];
    /// <summary>A JSON body whose string values are templates; null when the body is a form or empty.</summary>
    public JsonNode? Json { get; init; }
    /// <summary>An <c>application/x-www-form-urlencoded</c> body, as <c>wx.request</c> sends one.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Form { get; init; } = [];
    public IReadOnlyList<Capture> Captures { get; init; } = [];
    /// <summary>Statuses that mean the step did its job; empty means any 2xx.</summary>
    public IReadOnlyList<int> Expect { get; init; } = [];

    public bool Succeeded(int status) => Expect.Count == 0 ? status is >= 200 and < 300 : Expect.Contains(status);
}

/// <summary>The upload step: the case's or scenario's request, sent where the flow says, with the headers
/// and formData its earlier steps gave (a storage credential goes before the case's own fields, and the file
/// last, as object stores require).</summary>
public sealed record UploadStep
{
    public string Name { get; init; } = "upload";
    /// <summary>A URL template (<c>{host}</c>); null sends to the profile's <c>url</c>.</summary>
    public string? Url { get; init; }
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];
    public IReadOnlyList<KeyValuePair<string, string>> FormData { get; init; } = [];
    public IReadOnlyList<Capture> Captures { get; init; } = [];

    public bool IsPlain => Url is null && Headers.Count == 0 && FormData.Count == 0;
}

/// <summary>Where a value is read from an answer: a JSON path (<c>$.data.token</c>), an XML element's text
/// (<c>xml:Key</c>, the first one of that local name), or a header (<c>header:ETag</c>).</summary>
public sealed record Capture(string Name, CaptureSource Source, string Path)
{
    public static bool TryParse(string name, string text, out Capture? capture, out string? problem)
    {
        capture = null;
        problem = null;
        if (text.StartsWith("header:", StringComparison.Ordinal) && text.Length > 7)
            capture = new Capture(name, CaptureSource.Header, text[7..].Trim());
        else if (text.StartsWith("xml:", StringComparison.Ordinal) && text.Length > 4)
            capture = new Capture(name, CaptureSource.Xml, text[4..].Trim());
        else if (JsonPath.IsValid(text))
            capture = new Capture(name, CaptureSource.Json, text);
        else
            problem = $"'{text}' is not a capture: a JSON path ($.data.token), xml:Element or header:Name";
        return capture is not null;
    }

    /// <summary>The value in an answer, or null when it is not there.</summary>
    public string? Read(string? body, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        switch (Source)
        {
            case CaptureSource.Header:
                return headers.FirstOrDefault(h => string.Equals(h.Key, Path, StringComparison.OrdinalIgnoreCase))
                    .Value;
            case CaptureSource.Xml:
                return XmlAnswer.Element(body, Path);
            default:
                try
                {
                    using var document = System.Text.Json.JsonDocument.Parse(body ?? "");
                    return JsonPath.Text(document.RootElement, Path);
                }
                catch (System.Text.Json.JsonException)
                {
                    return null;
                }
        }
    }

    public string Describe() => Source switch
    {
        CaptureSource.Header => $"header {Path}",
        CaptureSource.Xml => $"XML element <{Path}>",
        _ => Path,
    };
}

public enum CaptureSource { Json, Xml, Header }

/// <summary>Reads the small XML answers object stores give (<c>&lt;Error&gt;&lt;Code&gt;…</c>,
/// <c>&lt;PostResponse&gt;&lt;Key&gt;…</c>) without trusting them: no DTDs, no entities resolved.</summary>
public static class XmlAnswer
{
    /// <summary>The text of the first element of that local name, or null (not XML, or no such element).</summary>
    public static string? Element(string? body, string localName)
    {
        if (string.IsNullOrWhiteSpace(body) || body.TrimStart()[0] != '<') return null;
        try
        {
            var settings = new System.Xml.XmlReaderSettings
            {
                DtdProcessing = System.Xml.DtdProcessing.Prohibit,
                XmlResolver = null,
            };
            using var reader = System.Xml.XmlReader.Create(new StringReader(body), settings);
            while (reader.Read())
                if (reader.NodeType == System.Xml.XmlNodeType.Element && reader.LocalName == localName)
                    return reader.ReadElementContentAsString();
        }
        catch (System.Xml.XmlException)
        {
        }
        return null;
    }
}
