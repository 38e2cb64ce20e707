using UploadConformance.Payloads;
using UploadConformance.Requests;
using UploadConformance.Scenarios;
using UploadConformance.Targets;
using UploadConformance.Wire;

namespace UploadConformance.Load;

/// <summary>A scenario's request shapes turned into ready request plans: a few variants per shape
/// (names, boundaries and formData differ), the payload of a shape shared by every request that
/// sends it, and a weighted pick per iteration that depends only on the seed and the iteration's
/// number, so a run is reproducible whatever order requests complete in.</summary>
public sealed class RequestMix
{
    private const int Variants = 8;
    private readonly (RequestShape Shape, RequestPlan[][] Plans)[] _shapes;
    private readonly double[] _cumulative;
    private readonly ulong _seed;

    public RequestMix(Scenario scenario, TargetProfile profile, ImageFactory images)
    {
        scenario.Validate();
        _seed = (ulong)scenario.Seed;
        _shapes = scenario.Mix.Select((shape, s) => (shape, Plans(shape, s, scenario.Seed, profile, images))).ToArray();
        var total = scenario.Mix.Sum(m => m.Weight);
        var running = 0.0;
        _cumulative = scenario.Mix.Select(m => running += m.Weight / total).ToArray();
    }

    /// <summary>Every plan any iteration can send.</summary>
    public IEnumerable<RequestPlan> Plans() => _shapes.SelectMany(s => s.Plans).SelectMany(burst => burst);

    public IReadOnlyList<RequestShape> Shapes => _shapes.Select(s => s.Shape).ToList();

    /// <summary>The most requests one iteration sends at once (a burst of nine photos is nine).</summary>
    public int LargestBurst => _shapes.SelectMany(s => s.Plans).Select(burst => burst.Length).DefaultIfEmpty(1).Max();

    public (RequestShape Shape, RequestPlan[] Burst) Pick(long iteration)
    {
        var z = _seed + (ulong)iteration * 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        var u = (z >> 11) * (1.0 / (1UL << 53));
        var index = 0;
        while (index < _cumulative.Length - 1 && u >= _cumulative[index]) index++;
        var (shape, plans) = _shapes[index];
        return (shape, plans[(int)(z % Variants)]);
    }

    private static RequestPlan[][] Plans(RequestShape shape, int shapeIndex, int seed, TargetProfile profile,
        ImageFactory images)
    {
        IPayload payload;
        string extension, contentType;
        if (shape.Image is { } id)
        {
            var spec = ImageSpec.All.Single(s => s.Id == id);
            payload = images.Get(spec, seed);
            (extension, contentType) = (spec.Extension, spec.ContentType);
        }
        else if (shape.File is { } file)
        {
            payload = new FilePayload(file);
            (extension, contentType) =
                (Path.GetExtension(file).TrimStart('.') is { Length: > 0 } ext ? ext : "bin", shape.ContentType
                ?? "application/octet-stream");
        }
        else
        {
            payload = new GeneratedPayload(shape.Bytes!.Value, (ulong)(seed * 31 + shapeIndex));
            (extension, contentType) = ("bin", shape.ContentType ?? "application/octet-stream");
        }
        _ = payload.Sha256; // hashed now, not during the run

        var plans = new RequestPlan[Variants][];
        for (var v = 0; v < Variants; v++)
        {
            // Bogus loads its locale data on first use, a noticeable part of a short run's start-up;
            // the seed example, the default, needs none.
            var fakerSeed = seed + 1000 * shapeIndex + v;
            FormDataFaker? fakerInstance = null;
            FormDataFaker Faker() => fakerInstance ??= new FormDataFaker(fakerSeed);
            plans[v] = new RequestPlan[shape.Burst];
            for (var b = 0; b < shape.Burst; b++)
            {
                var context = new PlatformContext(seed + 1000 * shapeIndex + 10 * v + b) { Android = v % 2 == 1 };
                var formData = shape.FormData switch
                {
                    "profile" => Faker().ChineseProfile(),
                    "order" => Faker().EnglishOrder(),
                    "chinese" => Faker().ChineseFieldNames(),
                    "none" => new FormValue.Object([]),
                    _ => FormDataFaker.SeedExample(),
                };
                var request = new UploadRequest
                {
                    Url = profile.Url,
                    Name = profile.Field,
                    File = new UploadFile(payload, shape.Platform.TempFileName(context, extension), contentType),
                    Header = [.. shape.Platform.Headers(context), .. profile.Headers],
                    FormData = new FormValue.Object([.. formData.Members, .. shape.Platform.AddedFields]),
                    TimeoutMs = shape.TimeoutMs ?? shape.Platform.DefaultTimeoutMs,
                };
                var wire = new WireOptions
                {
                    BoundaryStyle = (BoundaryStyle)(v % 3),
                    Framing = shape.Framing,
                    AbortAt = shape.Abort,
                    RateCapBytesPerSecond = shape.RateCapBytesPerSecond,
                };
                plans[v][b] =
                    RequestPlan.For(request, shape.Encoding ?? shape.Platform.Encoding, wire, seed + 100 * v + b,
                    shape.Platform.Id);
            }
        }
        return plans;
    }
}
