using SkiaSharp;
using UploadConformance.Payloads;

namespace UploadConformance.Tests;

public class ImageTests
{
    public static TheoryData<string> Specs => new(ImageSpec.All.Select(s => s.Id));

    [Theory]
    [MemberData(nameof(Specs))]
    public void Each_image_decodes_to_its_declared_format_and_size_within_the_phone_measured_range(string id)
    {
        var spec = ImageSpec.All.Single(s => s.Id == id);
        var payload = ImageFactory.Default().Get(spec, seed: 1);
        using var codec = SKCodec.Create(payload.FullPath);
        Assert.NotNull(codec);
        Assert.Equal(spec.Format, codec.EncodedFormat);
        Assert.Equal(spec.Width, codec.Info.Width);
        Assert.Equal(spec.Height, codec.Info.Height);
        // Research notes §2: compressed 46–715 KB, originals 2–6 MB, screenshots 0.3–3 MB, long screenshots near 20 MB.
        var (min, max) = id switch
        {
            "compressed" => (100_000L, 800_000L),
            "compressed-android" => (30_000L, 200_000L),
            "original" => (2_000_000L, 6_000_000L),
            "screenshot" => (300_000L, 3_000_000L),
            "long-screenshot" => (10_000_000L, 25_000_000L),
            _ => throw new ArgumentException(id),
        };
        Assert.InRange(payload.Length, min, max);
    }

    [Fact]
    public void The_same_seed_gives_the_same_bytes_in_a_fresh_cache_and_another_seed_does_not()
    {
        var a = Path.Combine(Path.GetTempPath(), "uc-images-" + Guid.NewGuid().ToString("N"));
        var b = Path.Combine(Path.GetTempPath(), "uc-images-" + Guid.NewGuid().ToString("N"));
        try
        {
            var first = new ImageFactory(a).Get(ImageSpec.CompressedAndroid, seed: 5);
            var again = new ImageFactory(b).Get(ImageSpec.CompressedAndroid, seed: 5);
            var other = new ImageFactory(b).Get(ImageSpec.CompressedAndroid, seed: 6);
            Assert.NotEqual(first.FullPath, again.FullPath);
            Assert.Equal(first.Sha256, again.Sha256);
            Assert.NotEqual(first.Sha256, other.Sha256);
        }
        finally
        {
            Directory.Delete(a, true);
            Directory.Delete(b, true);
        }
    }
}
