using BenchmarkDotNet.Attributes;
using UploadConformance.Payloads;
using UploadConformance.Requests;
using UploadConformance.Wire;

namespace UploadConformance.Bench;

/// <summary>Building and writing one request body, as the load engine does per request: the payload
/// is shared (one copy in memory for every request), the body plan is made anew each time.</summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class MultipartWriterBenchmarks
{
    private RequestPlan _plan = null!;

    [Params(1024, 5 * 1024 * 1024)]
    public int FileBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var bytes = new byte[FileBytes];
        new Random(1).NextBytes(bytes);
        var request = new UploadRequest
        {
            Url = new Uri("http://127.0.0.1/image"),
            Name = "images",
            File = new UploadFile(new BytesPayload(bytes), "tmp_41852593e221427e029327f987f3d588.jpg", "image/jpeg"),
            FormData = FormValue.Obj(("id", "test"), ("a", FormValue.Obj(("abc", "111"))),
            ("b", FormValue.Arr(1, 2, 3))),
        };
        _plan = RequestPlan.For(request, FormDataEncoding.JsString);
    }

    [Benchmark]
    public Task BuildAndWrite() => _plan.BuildBody().WriteToAsync(Stream.Null, null, CancellationToken.None);
}
