using System.Security.Cryptography;
using System.Text.Json;
using UploadConformance.Requests;
using UploadConformance.Targets;
using UploadConformance.Text;
using UploadConformance.Wire;

namespace UploadConformance.Verification;

/// <summary>What the server stored, compared with what was sent: the success rule's conditions, each
/// file's echo (size, sha256, field, filename, type), its bytes fetched back, and the fields. The
/// comparisons are pure; the one I/O is the fetch-back GET.</summary>
public sealed class StoredVerifier(HttpClient http, TargetProfile profile)
{
    private TargetProfile Profile => profile;

    /// <summary>A plan's upload, every filename compared exactly.</summary>
    public Task<IReadOnlyList<Check>> VerifyAsync(RequestPlan plan, UploadOutcome outcome,
        CancellationToken cancellationToken) =>
        VerifyAsync(SentUpload.Of(plan), outcome, FilenameRule.Exact, cancellationToken);

    /// <summary>Everything the answer and the server let us compare with what was sent: the success
    /// rule's conditions, each file's echo (size, sha256, field, filename, type), its bytes fetched
    /// back, and the fields.</summary>
    public async Task<IReadOnlyList<Check>> VerifyAsync(SentUpload sent, UploadOutcome outcome,
        FilenameRule filenameRule,
        CancellationToken cancellationToken, bool checkContentType = true)
    {
        var checks = new List<Check>
        {
            new("status", outcome.StatusCode is { } s && Profile.Success.Status.Contains(s),
                string.Join("|", Profile.Success.Status), outcome.StatusCode?.ToString()),
        };
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(outcome.Data ?? "");
        }
        catch (JsonException)
        {
            checks.Add(Check.Skipped("echo", string.IsNullOrEmpty(outcome.Data) ? "the answer is empty"
                : $"the answer is not JSON: {UntrustedText.Excerpt(outcome.Data, 80)}"));
            // An object store answers 204, or XML naming the key: the bucket URL has the bytes.
            if (Profile.Fetch is not null)
                for (var i = 0; i < sent.Files.Count; i++)
                    checks.Add(await FetchBackAsync(sent, i, null, null, cancellationToken).ConfigureAwait(false));
            return checks;
        }
        using (document)
        {
            var root = document.RootElement;
            foreach (var condition in Profile.Success.Json)
                checks.Add(
                    new Check(condition.Path, condition.Holds(root), condition.ToString(), condition.Describe(root)));
            var echoed = EchoReader.Files(Profile.Echo, root);
            if (echoed is null)
            {
                checks.Add(Check.Skipped("files", "the answer echoes nothing about the stored file"));
                if (Profile.Fetch is not null)
                    for (var i = 0; i < sent.Files.Count; i++)
                        checks.Add(await FetchBackAsync(sent, i, null, root, cancellationToken).ConfigureAwait(false));
            }
            else
            {
                checks.Add(
                    new Check("files", echoed.Count == sent.Files.Count, sent.Files.Count.ToString(),
                    echoed.Count.ToString()));
                for (var i = 0; i < Math.Min(sent.Files.Count, echoed.Count); i++)
                    checks.AddRange(
                        await CompareFileAsync(sent, i, echoed[i], root, filenameRule, checkContentType,
                        cancellationToken).ConfigureAwait(false));
            }
            checks.Add(CompareFields(sent, root));
        }
        return checks;
    }

    private static string FilePrefix(SentUpload sent, int index) => sent.Files.Count == 1 ? "file" : $"file[{index}]";

    private async Task<IEnumerable<Check>> CompareFileAsync(SentUpload sent, int index, JsonElement echoed,
        JsonElement root, FilenameRule rule,
        bool checkContentType, CancellationToken cancellationToken)
    {
        var (field, file) = sent.Files[index];
        var prefix = FilePrefix(sent, index);
        var echo = Profile.Echo;
        var wireName = MultipartBody.Escape(file.FileName, sent.Escaping);
        var acceptable = rule switch
        {
            FilenameRule.ExactOrBasename => new[] { wireName, file.FileName.Split('/', '\\')[^1] },
            FilenameRule.ExactOrDecoded => [wireName, file.FileName],
            _ => [wireName],
        };
        return
        [
            Echoed($"{prefix}.size", echo.Size, echoed, [file.Payload.Length.ToString()]),
            Echoed($"{prefix}.sha256", echo.Sha256, echoed, [file.Payload.Sha256]),
            Echoed($"{prefix}.field", echo.Field, echoed, [MultipartBody.Escape(field, sent.Escaping)]),
            Echoed($"{prefix}.filename", echo.Filename, echoed, acceptable),
            checkContentType && file.ContentType.Length > 0
                ? Echoed($"{prefix}.contentType", echo.ContentType, echoed, [file.ContentType])
                : Check.Skipped($"{prefix}.contentType", "the part carried no Content-Type, so any default is right"),
            await FetchBackAsync(sent, index, echoed, root, cancellationToken).ConfigureAwait(false),
        ];
    }

    private static Check Echoed(string name, string? path, JsonElement element, IReadOnlyList<string> acceptable)
    {
        if (path is null) return Check.Skipped(name, "the profile names no echo path for it");
        var actual = JsonPath.Text(element, path);
        if (actual is null) return Check.Skipped(name, $"the answer has no {path}");
        return new Check(name, acceptable.Contains(actual), string.Join(" or ", acceptable), actual);
    }

    private Check CompareFields(SentUpload sent, JsonElement root)
    {
        if (Profile.Echo.Fields is not { } path
            || JsonPath.Select(root, path) is not { ValueKind: JsonValueKind.Array or JsonValueKind.Object } fields)
            return Check.Skipped("fields", "the answer echoes no fields");
        var expected = sent.Fields.Select(f => (MultipartBody.Escape(f.Name, sent.Escaping), f.Value)).ToList();
        return FieldsEcho.Compare(expected, fields, dotsDecode: sent.Encoding == FormDataEncoding.Dots);
    }

    private static (string Name, string Value, string? Actual)? MetaLost(SentUpload sent, HttpResponseMessage response)
    {
        foreach (var field in sent.Fields)
        {
            var name = field.Name.ToLowerInvariant();
            if (!ObjectStorage.MetaPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal))) continue;
            var actual = response.Headers.TryGetValues(name, out var values) ? Uri.UnescapeDataString(
                string.Join(", ", values)) : null;
            if (actual != field.Value) return (name, field.Value, actual);
        }
        return null;
    }

    /// <summary>GETs the stored file back, from the profile's fetch template or the echoed URL, and
    /// compares its bytes with what was sent.</summary>
    private async Task<Check> FetchBackAsync(SentUpload sent, int index, JsonElement? entry, JsonElement? root,
        CancellationToken cancellationToken)
    {
        var name = $"{FilePrefix(sent, index)}.fetched";
        if (!Profile.FetchBack) return Check.Skipped(name, "the profile turns fetch-back off");
        var file = sent.Files[index].File;
        string? url;
        if (Profile.Fetch is { } template)
        {
            url = FetchTemplate.Resolve(template, entry, root, file.Payload.Sha256, file.Payload.Length, file.FileName,
                out var missing, sent.Values);
            if (url is null) return new Check(name, false, $"a value for {{{missing}}} in the answer", "none");
        }
        else
        {
            url = entry is { } e && Profile.Echo.Url is { } u ? JsonPath.Text(e, u) : null;
        }
        if (string.IsNullOrEmpty(url) || !Uri.TryCreate(Profile.Url, url, out var uri))
            return Check.Skipped(name,
                "the answer gives no url to fetch the file back from (a profile's fetch template can say where)");
        try
        {
            using var response =
                await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead,
                cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                return new Check(name, false, "200 with the stored bytes", $"{(int)response.StatusCode} from {uri}");
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var fetched =
                Convert.ToHexStringLower(await SHA256.HashDataAsync(body, cancellationToken).ConfigureAwait(false));
            if (fetched != file.Payload.Sha256) return new Check(name, false, file.Payload.Sha256, fetched);
            // An object store gives its metadata fields back as headers of the same name.
            if (MetaLost(sent, response) is { } lost) return new Check(name, false, $"{lost.Name}: {lost.Value}",
                $"{lost.Name}: {(lost.Actual ?? "absent")}");
            return new Check(name, true, file.Payload.Sha256, fetched);
        }
        catch (HttpRequestException e)
        {
            return new Check(name, false, "the stored bytes", e.Message.ReplaceLineEndings(" "));
        }
    }
}
