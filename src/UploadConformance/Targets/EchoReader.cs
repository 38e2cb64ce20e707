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

    /// <summary>The load engine's sampled check: the first echoed file's size and sha256 against the
    /// payload sent; null when they match or are not echoed.</summary>
    public static string? Mismatch(EchoPaths echo, string? answer, Payloads.IPayload sent)
    {
        // An answer that is to echo nothing (an object store's 204 or XML) has nothing to differ in.
        if (echo.Files is null && echo.File is null) return null;
        try
        {
            using var document = JsonDocument.Parse(answer ?? "");
            if (Files(echo, document.RootElement) is not [var entry, ..]) return null;
            if (echo.Size is { } sizePath && JsonPath.Text(entry, sizePath) is { } size
                && size != sent.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))
                return "size differs";
            if (echo.Sha256 is { } shaPath && JsonPath.Text(entry, shaPath) is { } sha && sha != sent.Sha256)
                return "sha256 differs";
            return null;
        }
        catch (JsonException)
        {
            return "answer is not JSON";
        }
    }
}
