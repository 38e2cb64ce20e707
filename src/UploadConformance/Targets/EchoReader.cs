using System.Text.Json;

namespace UploadConformance.Targets;

/// <summary>What an answer says it stored, read by the profile's <see cref="EchoPaths"/>: the one
/// place the load engine's sampled check, the catalog's verification and its compound cases read an
/// echo, so a new echo shape is taught once.</summary>
public static class EchoReader
{
    /// <summary>One entry per stored file: the <see cref="EchoPaths.Files"/> array, else the one
    /// <see cref="EchoPaths.File"/> object; null when the answer echoes neither.</summary>
    public static IReadOnlyList<JsonElement>? Files(EchoPaths echo, JsonElement answer)
    {
        if (echo.Files is { } filesPath
            && JsonPath.Select(answer, filesPath) is { ValueKind: JsonValueKind.Array } files)
            return files.EnumerateArray().ToList();
        if (echo.File is { } filePath
            && JsonPath.Select(answer, filePath) is { ValueKind: JsonValueKind.Object } file)
            return [file];
        return null;
    }

    /// <summary>The first echoed file's value at <paramref name="path"/> (its size, sha256 or URL) in an
    /// answer's text; null when the answer is not JSON or does not say.</summary>
    public static string? FirstFile(EchoPaths echo, string? answer, Func<EchoPaths, string?> path)
    {
        if (path(echo) is not { } p) return null;
        try
        {
            using var document = JsonDocument.Parse(answer ?? "");
            return Files(echo, document.RootElement) is [var first, ..] ? JsonPath.Text(first, p) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
