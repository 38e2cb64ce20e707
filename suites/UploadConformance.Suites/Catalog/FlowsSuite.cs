using UploadConformance.Flows;
using UploadConformance.Payloads;
using UploadConformance.Requests;
using UploadConformance.Targets;
using UploadConformance.Verification;

namespace UploadConformance.Suites.Catalog;

/// <summary>Uploads that are flows: straight to an object store with a credential from the app's backend, or
/// behind a login. Built only for a profile with <c>steps</c>: photos stored exactly under the key the form
/// names, the store's own guards (a signature, a policy's key prefix and size range, an anonymous form), and
/// the login's guard (no token, a forged one). A store or endpoint that takes what it should refuse fails:
/// anyone could write to it.</summary>
public static class FlowsSuite
{
    public const string Name = "flows";

    public static IEnumerable<UploadCase> Build(CatalogContext c)
    {
        var cases = new List<UploadCase>();
        var flow = c.Profile.Flow;
        if (flow.IsOnePost) return cases;
        void Add(string id, string description, UploadFile file, Expectation expect,
            IReadOnlyList<FlowChange>? changes = null, FormValue.Object? formData = null, params ExtraCheck[] extra) =>
            cases.Add(new UploadCase($"{Name}.{id}", Name, description,
                new CaseRequest.Planned(c.Plan(file, formData ?? new FormValue.Object([])), changes), expect)
            {
                Extra = extra,
            });

        Add("photo-compressed", "a compressed photo through the whole flow: stored exactly, fetched back",
            c.Image(ImageSpec.CompressedAndroid), Expectation.StoredExactly);
        Add("photo-original", "an original photo through the whole flow: stored exactly, fetched back",
            c.Image(ImageSpec.Original), Expectation.StoredExactly);
        var storage = c.Profile.Storage;
        if (storage != StorageKind.None) AddStorage(c, storage, Add);
        var token = flow.Upload.Headers.FirstOrDefault(h => flow.Once.SelectMany(s => s.Captures)
            .Any(capture => StepTemplate.Names(h.Value).Contains(capture.Name)));
        if (token.Key is not null)
        {
            var guard = new Expectation.Refused([401, 403], "an upload without the session the login gave",
                OnAccept.Fail);
            Add("no-token", $"the upload without its {token.Key} header: refused (401/403), never stored",
                c.Image(ImageSpec.CompressedAndroid), guard, [new FlowChange($"header:{token.Key}",
                    FlowChangeKind.Remove)]);
            Add("forged-token", $"the upload with a {token.Key} the login never issued: refused, never stored",
                c.Image(ImageSpec.CompressedAndroid), guard, [new FlowChange($"header:{token.Key}",
                    FlowChangeKind.Corrupt)]);
        }
        return cases;
    }

    private static void AddStorage(CatalogContext c, StorageKind storage,
        Action<string, string, UploadFile, Expectation, IReadOnlyList<FlowChange>?, FormValue.Object?, ExtraCheck[]>
            add)
    {
        var photo = c.Image(ImageSpec.CompressedAndroid);
        UploadFile Named(string name) => photo with { FileName = name };
        add("filename-chinese", "a Chinese filename in a ${filename} key: stored under that key, byte for byte",
            Named("相册封面-报告.jpg"), Expectation.StoredExactly, null, null, []);
        add("filename-emoji", "an emoji filename in a ${filename} key: stored under that key",
            Named("旅行📷-2026.jpg"), Expectation.StoredExactly, null, null, []);
        if (ObjectStorage.MetaPrefix(storage) is { } meta)
            add("meta-kept", $"a {meta}app field: kept with the object and given back as its header",
                photo, Expectation.StoredExactly, null, FormValue.Obj(($"{meta}app", "mini-program")), []);
        if (storage != StorageKind.Qiniu)
            add("success-201", "success_action_status 201: a 201 whose XML names the key it stored",
                photo, Expectation.StoredExactly, [new FlowChange("success_action_status", FlowChangeKind.Replace,
                    "201")], null, [PostResponseNamesKey]);
        if (c.Limits.MaxFileBytes is { } max)
            add("over-range", $"a file one byte over the policy's {max} bytes: refused (EntityTooLarge), nothing kept",
                c.Generated(max + 1), Expectation.StoredExactly, null, null, []);
        // Qiniu refuses a bad token with 401; the others refuse a form they cannot trust with 403.
        var hole = new Expectation.Refused(storage == StorageKind.Qiniu ? [401, 403] : [403],
            "a form the store must not trust", OnAccept.Fail);
        add("bad-signature", "the form with its signature corrupted: refused (SignatureDoesNotMatch); storing it fails",
            photo, hole, ObjectStorage.SignatureFields(storage).Select(f => new FlowChange(f,
                FlowChangeKind.Corrupt)).ToList(), null, []);
        add("anonymous", "the form without its policy and signature: refused; storing it fails (anyone could write)",
            photo, hole, ObjectStorage.CredentialFields(storage).Select(f => new FlowChange(f, FlowChangeKind.Remove))
                .ToList(), null, []);
        add("expired-credential", "the form sent once its policy (or token) has expired, waiting for it up to "
            + $"{FlowSession.ExpiryWait.TotalSeconds:0} s: refused; storing it fails (a leaked credential works "
            + "forever)",
            photo, hole, [new FlowChange("policy", FlowChangeKind.AfterExpiry)], null, []);
        add("key-outside-prefix", "the key moved outside the prefix the credential allows: refused; storing it fails",
            photo, hole, [new FlowChange("key", FlowChangeKind.Replace, "outside-the-prefix/${filename}")], null, []);
    }

    /// <summary>A 201 answers XML naming Bucket, Key and ETag, as the stores document.</summary>
    private static readonly ExtraCheck PostResponseNamesKey = new("PostResponse", "a 201 with XML naming the Key",
        x => new Check("PostResponse.Key", x.Outcome.StatusCode == 201
            && !string.IsNullOrEmpty(XmlAnswer.Element(x.Outcome.Data, "Key")), "201 <PostResponse> with <Key>",
            $"{x.Outcome.StatusCode} {Text.UntrustedText.Excerpt(x.Outcome.Data, 80)}"),
        Verdict.NonStrict, check => $"success_action_status 201 answered {check.Actual}");
}
