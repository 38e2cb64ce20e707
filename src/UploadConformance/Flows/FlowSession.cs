using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using UploadConformance.Requests;
using UploadConformance.Targets;
using UploadConformance.Wire;

namespace UploadConformance.Flows;

/// <summary>One step as sent: its status, how long it took, and why it failed (null when it did its job).</summary>
public sealed record StepResult(string Name, int? Status, TimeSpan Elapsed, string? Failure, long BytesSent,
    long BytesReceived)
{
    /// <summary>The answer's start, for a step that refused: it may be the endpoint's answer to the upload (a
    /// credential refused for a file over the limit).</summary>
    public string? Answer { get; init; }

    public bool Ok => Failure is null;

    /// <summary>A 401 the app answered by logging in again and repeating the step: its normal course when a
    /// session expires, counted by status but not as a failure.</summary>
    public bool LoggedInAgain { get; init; }

    /// <summary>It answered as expected, but a capture found nothing in the answer.</summary>
    public bool MissedCapture { get; init; }
}

/// <summary>One upload's way through its flow: the values it knows (the upload's facts, what the login and
/// the credential captured, the stored key) and every step sent so far.</summary>
public sealed class FlowUpload
{
    internal FlowUpload(Dictionary<string, string> values) => Values = values;

    public Dictionary<string, string> Values { get; }
    public List<StepResult> Steps { get; } = [];
    /// <summary>Why the upload was not sent at all, when a case cannot be tried here (a credential that lives
    /// longer than a case waits for it to expire).</summary>
    public string? NotTried { get; set; }
    /// <summary>The first step that failed, said in one line; the upload is not sent after it.</summary>
    public string? Failure => Steps.FirstOrDefault(s => !s.Ok) is { } failed ? $"{failed.Name}: {failed.Failure}"
        : null;

    /// <summary>The facts of an upload's file, known before any step runs.</summary>
    public static Dictionary<string, string> Facts(UploadFile file) => new(StringComparer.Ordinal)
    {
        ["sha256"] = file.Payload.Sha256,
        ["size"] = file.Payload.Length.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["filename"] = file.FileName,
        ["contentType"] = file.ContentType,
        ["uuid"] = Guid.NewGuid().ToString("N"),
    };
}

/// <summary>Values captured once for the whole run (a login with <c>once: run</c>), shared by every virtual
/// user; re-captured by whichever user first sees them refused (401).</summary>
public sealed class FlowShared
{
    internal readonly SemaphoreSlim Gate = new(1, 1);
    internal IReadOnlyDictionary<string, string>? Values;
    internal int Generation;
    /// <summary>The once-steps as sent, for the run's own rows (each login counted once).</summary>
    public List<StepResult> Steps { get; } = [];
}

/// <summary>Runs a flow's steps for one virtual user (conform has one): the login once, the credential
/// before each upload, the confirm after it, with the app's one re-login when a later step or the upload
/// is refused with 401. Steps are small JSON or form requests, sent through HttpClient. A relative URL is
/// resolved against the profile's, so <c>--target</c> moves the whole flow.</summary>
public sealed class FlowSession(Flow flow, HttpClient http, FlowShared shared, Uri baseUrl)
{
    /// <summary>Most of a step's answer kept to read captures from; bigger answers are cut here.</summary>
    private const int MaxAnswerChars = 256 * 1024;

    private IReadOnlyDictionary<string, string>? _user;
    private int _userGeneration = -1;

    public Flow Flow => flow;

    /// <summary>Called with every step as it finishes (the load engine's rows).</summary>
    public Action<StepResult>? Finished { get; init; }

    /// <summary>The once-steps (if not yet run) and the per-upload steps before the upload. When one fails,
    /// <see cref="FlowUpload.Failure"/> says which and why, and the upload must not be sent.</summary>
    public async Task<FlowUpload> BeforeAsync(UploadFile file, CancellationToken ct)
    {
        var upload = new FlowUpload(FlowUpload.Facts(file));
        if (!await LoginAsync(upload, force: false, ct).ConfigureAwait(false)) return upload;
        foreach (var step in flow.PerUpload)
            if (!await RunWithReloginAsync(step, upload, ct).ConfigureAwait(false)) return upload;
        return upload;
    }

    /// <summary>The upload's request as the flow sends it: its URL, its headers added, the credential's
    /// fields before the request's own formData (object stores read their fields before the file).</summary>
    public RequestPlan Apply(RequestPlan plan, FlowUpload upload)
    {
        if (flow.Upload.IsPlain) return plan;
        var request = plan.Request;
        var url = flow.Upload.Url is { } template
            ? new Uri(baseUrl, StepTemplate.Fill(template, upload.Values, url: true)) : request.Url;
        var headers = flow.Upload.Headers.Select(h => KeyValuePair.Create(h.Key, StepTemplate.Fill(h.Value,
            upload.Values))).ToList();
        var fields = flow.Upload.FormData.Select(f => KeyValuePair.Create(f.Key,
            (FormValue)new FormValue.Text(StepTemplate.Fill(f.Value, upload.Values)))).ToList();
        return plan with
        {
            Request = request with
            {
                Url = url,
                Header = [.. request.Header, .. headers],
                FormData = new FormValue.Object([.. fields, .. request.FormData.Members]),
            },
        };
    }

    /// <summary>Sends the upload through <paramref name="send"/>; a 401 re-runs the login once and sends it
    /// again with the new token, as an app does.</summary>
    public async Task<(RequestPlan Plan, UploadOutcome Outcome)> SendUploadAsync(RequestPlan plan,
        FlowUpload upload, Func<RequestPlan, Task<UploadOutcome>> send, CancellationToken ct,
        IReadOnlyList<FlowChange>? changes = null)
    {
        var applied = FlowChange.Apply(Apply(plan, upload), changes ?? []);
        if (changes?.Any(c => c.Kind == FlowChangeKind.AfterExpiry) == true
            && !await WaitForExpiryAsync(applied, upload, ct).ConfigureAwait(false))
            return (applied, new UploadOutcome { ErrMsg = "not sent", Failure = FailureKind.Other });
        var outcome = await send(applied).ConfigureAwait(false);
        // A case that took the token away expects the 401: logging in again would put it back.
        if (outcome.StatusCode == 401 && flow.Once.Any() && changes is not { Count: > 0 }
            && await LoginAsync(upload, force: true, ct).ConfigureAwait(false))
        {
            applied = Apply(plan, upload);
            outcome = await send(applied).ConfigureAwait(false);
        }
        Stored(applied, upload, outcome);
        return (applied, outcome);
    }

    /// <summary>The upload's headers for a request written byte by byte (a raw case): the login's token, when the
    /// headers need nothing but what the once-steps captured; none otherwise.</summary>
    public async Task<IReadOnlyList<KeyValuePair<string, string>>> RawHeadersAsync(CancellationToken ct)
    {
        var upload = new FlowUpload(new Dictionary<string, string>(StringComparer.Ordinal));
        if (!await LoginAsync(upload, force: false, ct).ConfigureAwait(false)) return [];
        return flow.Upload.Headers.Select(h => (h.Key, Value: StepTemplate.Resolve(h.Value, upload.Values, false,
            out _))).Where(h => h.Value is not null).Select(h => KeyValuePair.Create(h.Key, h.Value!)).ToList();
    }

    /// <summary>The longest a case waits for a credential to expire: WeChat's longest request timeout and a
    /// little, beyond which a credential outlives any upload it was made for.</summary>
    public static readonly TimeSpan ExpiryWait = TimeSpan.FromSeconds(65);

    private static async Task<bool> WaitForExpiryAsync(RequestPlan plan, FlowUpload upload, CancellationToken ct)
    {
        var fields = plan.Request.FormData.Members.Where(m => m.Value is FormValue.Text)
            .Select(m => KeyValuePair.Create(m.Key, ((FormValue.Text)m.Value).Value));
        if (ObjectStorage.Expiry(fields) is not { } expiry)
        {
            upload.NotTried = "the form names no expiry (no policy expiration, q-key-time or token deadline)";
            return false;
        }
        // Stores compare whole seconds: a little past the second it ends.
        var wait = expiry - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1.5);
        if (wait > ExpiryWait)
        {
            upload.NotTried = $"the credential is valid for {wait.TotalSeconds:0} s more, longer than the "
                + $"{ExpiryWait.TotalSeconds:0} s this case waits for it to expire";
            return false;
        }
        if (wait > TimeSpan.Zero) await Task.Delay(wait, ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>The steps after a stored upload (the confirm), with the stored key known.</summary>
    public async Task AfterAsync(FlowUpload upload, CancellationToken ct)
    {
        foreach (var step in flow.After)
            if (!await RunWithReloginAsync(step, upload, ct).ConfigureAwait(false)) return;
    }

    /// <summary>What the upload's answer says: its captures, and the stored key (captured, or the form's
    /// <c>key</c> with the stores' <c>${filename}</c> filled in).</summary>
    private void Stored(RequestPlan sent, FlowUpload upload, UploadOutcome outcome)
    {
        // The upload's answer headers are not kept by its clients: it captures from its body.
        foreach (var capture in flow.Upload.Captures)
            if (capture.Read(outcome.Data, []) is { } value) upload.Values[capture.Name] = value;
        if (flow.Upload.Captures.All(c => c.Name != StepTemplate.StoredKey)
            && sent.Request.FormData.Members.FirstOrDefault(m => m.Key == "key").Value is FormValue.Text key)
            upload.Values[StepTemplate.StoredKey] = key.Value.Replace("${filename}", sent.Request.File.FileName,
                StringComparison.Ordinal);
    }

    private async Task<bool> LoginAsync(FlowUpload upload, bool force, CancellationToken ct)
    {
        var once = flow.Once.ToList();
        if (once.Count == 0) return true;
        var run = once.Where(s => s.Scope == StepScope.Run).ToList();
        var user = once.Where(s => s.Scope == StepScope.User).ToList();
        if (run.Count > 0)
        {
            var seen = shared.Generation;
            await shared.Gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                // Another user may have logged in again while this one waited: its token is new enough.
                if (shared.Values is null || force && shared.Generation == seen)
                {
                    var values = new Dictionary<string, string>(StringComparer.Ordinal);
                    foreach (var step in run)
                    {
                        var result = Done(await RunStepAsync(step, values, ct).ConfigureAwait(false));
                        shared.Steps.Add(result);
                        if (!result.Ok)
                        {
                            upload.Steps.Add(result);
                            return false;
                        }
                    }
                    shared.Values = values;
                    shared.Generation++;
                }
            }
            finally
            {
                shared.Gate.Release();
            }
            foreach (var (k, v) in shared.Values!) upload.Values[k] = v;
        }
        if (user.Count > 0)
        {
            if (_user is null || force && _userGeneration == shared.Generation)
            {
                var values = new Dictionary<string, string>(upload.Values, StringComparer.Ordinal);
                foreach (var step in user)
                {
                    var result = Done(await RunStepAsync(step, values, ct).ConfigureAwait(false));
                    upload.Steps.Add(result);
                    if (!result.Ok) return false;
                }
                _user = values;
                _userGeneration = shared.Generation;
            }
            foreach (var (k, v) in _user) upload.Values.TryAdd(k, v);
            foreach (var step in user)
                foreach (var capture in step.Captures)
                    if (_user.TryGetValue(capture.Name, out var v)) upload.Values[capture.Name] = v;
        }
        return true;
    }

    private async Task<bool> RunWithReloginAsync(FlowStep step, FlowUpload upload, CancellationToken ct)
    {
        var result = await RunStepAsync(step, upload.Values, ct).ConfigureAwait(false);
        if (result.Status == 401 && flow.Once.Any())
        {
            // Refused: the token expired. The app logs in again once and repeats the step.
            Done(result with { LoggedInAgain = true });
            if (!await LoginAsync(upload, force: true, ct).ConfigureAwait(false)) return false;
            result = await RunStepAsync(step, upload.Values, ct).ConfigureAwait(false);
        }
        upload.Steps.Add(Done(result));
        return result.Ok;
    }

    /// <summary>Sends one step and reads its captures into <paramref name="values"/>.</summary>
    public async Task<StepResult> RunStepAsync(FlowStep step, Dictionary<string, string> values,
        CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        int? status = null;
        long sent = 0, received = 0;
        string? failure;
        string? answer = null;
        try
        {
            using var request = new HttpRequestMessage(new HttpMethod(step.Method),
                new Uri(baseUrl, StepTemplate.Fill(step.Url, values, url: true)));
            if (step.Json is { } json)
            {
                var body = Encoding.UTF8.GetBytes(FillJson(json, values)?.ToJsonString() ?? "null");
                sent = body.Length;
                request.Content = new ByteArrayContent(body);
                request.Content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
            }
            else if (step.Form.Count > 0)
            {
                var body = Encoding.UTF8.GetBytes(string.Join('&', step.Form.Select(f =>
                    $"{Uri.EscapeDataString(f.Key)}={Uri.EscapeDataString(StepTemplate.Fill(f.Value, values))}")));
                sent = body.Length;
                request.Content = new ByteArrayContent(body);
                request.Content.Headers.ContentType = new("application/x-www-form-urlencoded");
            }
            foreach (var (name, template) in step.Headers)
            {
                var value = StepTemplate.Fill(template, values);
                if (!request.Headers.TryAddWithoutValidation(name, value))
                    request.Content?.Headers.TryAddWithoutValidation(name, value);
            }
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct)
                .ConfigureAwait(false);
            status = (int)response.StatusCode;
            answer = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            received = answer.Length;
            if (answer.Length > MaxAnswerChars) answer = answer[..MaxAnswerChars];
            failure = step.Succeeded(status.Value) ? Capture(step, answer, Headers(response), values)
                : $"{status} ({(HttpStatusCode)status}), expected {Expected(step)}: {Shown(answer)}";
        }
        catch (HttpRequestException e)
        {
            failure = $"no answer: {e.Message.ReplaceLineEndings(" ")}";
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            failure = $"no answer within {http.Timeout.TotalSeconds:0.#} s";
        }
        return new StepResult(step.Name, status, clock.Elapsed, failure, sent, received)
        {
            Answer = failure is null ? null : answer?[..Math.Min(answer.Length, AnswerBody.MaxBytes)],
            MissedCapture = failure is not null && status is { } s && step.Succeeded(s),
        };
    }

    /// <summary>A step's answer in a failure's line: escaped as any target's text, and cut.</summary>
    private static string Shown(string? answer) => string.IsNullOrEmpty(answer) ? "an empty answer"
        : Text.UntrustedText.ForTerminal(answer.Length > 200 ? answer[..200] + "…" : answer);

    /// <summary>A step as finished, handed to <see cref="Finished"/> (each one once).</summary>
    private StepResult Done(StepResult result)
    {
        Finished?.Invoke(result);
        return result;
    }

    private static string Expected(FlowStep step) => step.Expect.Count == 0 ? "2xx" : string.Join(" or ", step.Expect);

    private static List<KeyValuePair<string, string>> Headers(HttpResponseMessage response) =>
        response.Headers.Concat(response.Content.Headers)
            .Select(h => KeyValuePair.Create(h.Key, string.Join(", ", h.Value))).ToList();

    /// <summary>Reads each capture; the first that finds nothing fails the step, naming where it looked.</summary>
    private static string? Capture(FlowStep step, string answer, List<KeyValuePair<string, string>> headers,
        Dictionary<string, string> values)
    {
        foreach (var capture in step.Captures)
        {
            if (capture.Read(answer, headers) is not { } value)
                return $"{capture.Describe()} found nothing to capture as {{{capture.Name}}} in "
                    + Shown(answer);
            values[capture.Name] = value;
        }
        return null;
    }

    private static JsonNode? FillJson(JsonNode? node, IReadOnlyDictionary<string, string> values) => node switch
    {
        JsonObject o => new JsonObject(o.Select(kv => KeyValuePair.Create(kv.Key, FillJson(kv.Value, values)))),
        JsonArray a => new JsonArray(a.Select(v => FillJson(v, values)).ToArray()),
        JsonValue v when v.TryGetValue<string>(out var text) => JsonValue.Create(StepTemplate.Fill(text, values)),
        null => null,
        _ => node.DeepClone(),
    };
}
