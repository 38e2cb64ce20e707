using System.Collections.Concurrent;
using SkiaSharp;

namespace UploadConformance.Payloads;

/// <summary>An image a phone would hand to wx.chooseImage's success callback.</summary>
public sealed record ImageSpec(string Id, SKEncodedImageFormat Format, int Width, int Height, int Quality,
    ImageContent Content, string Description)
{
    public string Extension => Format == SKEncodedImageFormat.Png ? "png" : "jpg";
    public string ContentType => Format == SKEncodedImageFormat.Png ? "image/png" : "image/jpeg";

    // Sizes measured on real phones (research notes §2): originals are several MB, compressed
    // images are 1280- or 640-wide JPEGs of tens to hundreds of KB.
    public static readonly ImageSpec Original =
        new("original", SKEncodedImageFormat.Jpeg, 4032, 3024, 92, ImageContent.Photo, "original JPEG 4032×3024");
    public static readonly ImageSpec Compressed =
        new("compressed", SKEncodedImageFormat.Jpeg, 1280, 1706, 80, ImageContent.Photo,
        "compressed JPEG 1280×1706 (iOS)");
    public static readonly ImageSpec CompressedAndroid =
        new("compressed-android", SKEncodedImageFormat.Jpeg, 640, 854, 75, ImageContent.Photo,
        "compressed JPEG 640×854 (Android)");
    public static readonly ImageSpec Screenshot =
        new("screenshot", SKEncodedImageFormat.Png, 1170, 2532, 100, ImageContent.Screen, "PNG screenshot 1170×2532");
    public static readonly ImageSpec LongScreenshot =
        new("long-screenshot", SKEncodedImageFormat.Png, 1152, 41586, 100, ImageContent.Screen,
        "long PNG screenshot 1152×41586");

    public static readonly IReadOnlyList<ImageSpec> All =
        [Original, Compressed, CompressedAndroid, Screenshot, LongScreenshot];
}

public enum ImageContent { Photo, Screen }

/// <summary>Makes real, decodable JPEG and PNG files with SkiaSharp and keeps them in a cache folder,
/// so a run encodes each (spec, seed) once per machine.</summary>
public sealed class ImageFactory(string cacheDirectory)
{
    // Bump when the pixels an (id, seed) produces change, so stale cache entries are not reused.
    private const int GeneratorVersion = 2;
    private static readonly ConcurrentDictionary<string, Lazy<FilePayload>> InProcess = new();

    public string CacheDirectory { get; } = cacheDirectory;

    public static ImageFactory Default() => new(DefaultCacheDirectory());

    public static string DefaultCacheDirectory()
    {
        var explicitDir = Environment.GetEnvironmentVariable("UPLOADCONFORMANCE_CACHE");
        if (!string.IsNullOrEmpty(explicitDir)) return explicitDir;
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = !string.IsNullOrEmpty(xdg) ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "uploadconformance");
    }

    public FilePayload Get(ImageSpec spec, int seed = 1)
    {
        var fileName =
            $"{spec.Id}-{spec.Width}x{spec.Height}-q{spec.Quality}-s{seed}-g{GeneratorVersion}.{spec.Extension}";
        var path = Path.Combine(CacheDirectory, fileName);
        return InProcess.GetOrAdd(path, p => new Lazy<FilePayload>(() => Materialise(spec, seed, p))).Value;
    }

    public IPayload Deferred(ImageSpec spec, int seed = 1) =>
        new DeferredPayload(() => Get(spec, seed), spec.Description);

    private static FilePayload Materialise(ImageSpec spec, int seed, string path)
    {
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
            using (var bitmap = Render(spec, seed))
            using (var file = File.Create(temp))
            {
                if (!bitmap.Encode(file, spec.Format, spec.Quality))
                    throw new InvalidOperationException($"SkiaSharp could not encode {spec.Description}");
            }
            // Another process may have won the race; its file is identical, so either is fine.
            try { File.Move(temp, path, overwrite: false); }
            catch (IOException) { File.Delete(temp); }
        }
        return new FilePayload(path, spec.Description);
    }

    private static unsafe SKBitmap Render(ImageSpec spec, int seed)
    {
        var bitmap = new SKBitmap(new SKImageInfo(spec.Width, spec.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var pixels = new Span<uint>((void*)bitmap.GetPixels(), spec.Width * spec.Height);
        var rng = new Xorshift((ulong)seed * 0x9E3779B97F4A7C15UL + StableHash(spec.Id));
        if (spec.Content == ImageContent.Photo) FillPhoto(pixels, spec.Width, spec.Height, 0, spec.Height, ref rng);
        else FillScreen(pixels, spec.Width, spec.Height, ref rng);
        return bitmap;
    }

    /// <summary>Smooth light falling across the frame plus sensor-like noise: JPEG sizes then land
    /// where real camera photos do, which flat colour would not.</summary>
    private static void FillPhoto(Span<uint> pixels, int width, int height, int top, int bottom, ref Xorshift rng)
    {
        var phaseX = rng.NextDouble() * Math.PI * 2;
        var phaseY = rng.NextDouble() * Math.PI * 2;
        Span<int> column = width <= 8192 ? stackalloc int[width] : new int[width];
        for (var x = 0; x < width; x++)
            column[x] = (int)(60 * Math.Sin(x * 6.0 / width + phaseX) + 25 * Math.Sin(x * 41.0 / width));
        for (var y = top; y < bottom; y++)
        {
            var rowLight = (int)(70 * Math.Cos((y - top) * 5.0 / (bottom - top) + phaseY));
            var row = pixels.Slice(y * width, width);
            for (var x = 0; x < width; x++)
            {
                var noise = rng.Next();
                var baseLevel = 128 + rowLight + column[x];
                var r = Clamp(baseLevel + 30 + (int)(noise & 31) - 16);
                var g = Clamp(baseLevel + (int)((noise >> 8) & 31) - 16);
                var b = Clamp(baseLevel - 30 + (int)((noise >> 16) & 31) - 16);
                row[x] = 0xFF000000u | ((uint)b << 16) | ((uint)g << 8) | (uint)r;
            }
        }
    }

    /// <summary>A chat-app screen: a title bar, lines of "text", and photo thumbnails every so often.</summary>
    private static void FillScreen(Span<uint> pixels, int width, int height, ref Xorshift rng)
    {
        pixels.Fill(0xFFF7F7F7);
        var y = 0;
        FillRect(pixels, width, 0, 0, width, Math.Min(height, 180), 0xFF2E2E2E);
        y = 200;
        while (y < height - 40)
        {
            var block = rng.Next() % 10;
            if (block == 0 && y + 400 < height)
            {
                FillPhoto(pixels, width, height, y, y + 360, ref rng);
                y += 380;
                continue;
            }
            var lines = 1 + (int)(rng.Next() % 4);
            for (var l = 0; l < lines && y + 40 < height; l++)
            {
                var x = 40;
                var end = width - 40 - (int)(rng.Next() % (uint)(width / 3));
                while (x < end)
                {
                    var word = 18 + (int)(rng.Next() % 90);
                    FillRect(pixels, width, x, y, Math.Min(word, end - x), 26, 0xFF333333);
                    x += word + 12;
                }
                y += 44;
            }
            y += 30;
        }
    }

    private static void FillRect(Span<uint> pixels, int width, int x, int y, int w, int h, uint colour)
    {
        for (var row = y; row < y + h; row++) pixels.Slice(row * width + x, w).Fill(colour);
    }

    // string.GetHashCode is randomised per process; the pixels must not be.
    private static ulong StableHash(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text) hash = (hash ^ c) * 1099511628211UL;
        return hash;
    }

    private static byte Clamp(int v) => (byte)Math.Clamp(v, 0, 255);

    private struct Xorshift(ulong seed)
    {
        private ulong _state = seed == 0 ? 0x2545F4914F6CDD1DUL : seed;

        public uint Next()
        {
            _state ^= _state << 13;
            _state ^= _state >> 7;
            _state ^= _state << 17;
            return (uint)(_state >> 32);
        }

        public double NextDouble() => Next() / (double)uint.MaxValue;
    }
}
