namespace UploadConformance.ReferenceServer;

/// <summary>Bugs the reference server can be told to have, each one a class seen in real upload
/// backends, so tests (and users evaluating the suite) can see that the catalog catches them.</summary>
[Flags]
public enum ServerDefects
{
    None = 0,
    /// <summary>Stores every file one byte short: silent truncation, wrong stored data.</summary>
    TruncateFiles = 1 << 0,
    /// <summary>Answers 500 to a malformed body instead of 400, as multer via Express and ASP.NET MVC do.</summary>
    Status500OnMalformed = 1 << 1,
    /// <summary>Loses fields named like <c>a[b]</c> or <c>a.b</c>: nested formData dropped.</summary>
    DropNestedFields = 1 << 2,
    /// <summary>Leaves <c>.partial</c> files behind when a client aborts or times out: a disk leak.</summary>
    KeepPartialFiles = 1 << 3,
    /// <summary>Never answers a body that ends without its closing boundary: a hang.</summary>
    HangOnTruncatedBody = 1 << 4,
    /// <summary>Reads filenames as Latin-1, as busboy does by default: Chinese names garbled.</summary>
    Latin1Filenames = 1 << 5,
    /// <summary>Accepts files over its declared limit.</summary>
    IgnoreLimits = 1 << 6,
    /// <summary>Refuses with HTML error pages, as nginx does, instead of JSON.</summary>
    HtmlErrors = 1 << 7,
}

public static class ServerDefectNames
{
    public static string Name(ServerDefects defect) => string.Concat(defect.ToString().Select((ch, i) => i > 0 && char.IsUpper(ch) ? "-" + char.ToLowerInvariant(ch) : char.ToLowerInvariant(ch).ToString()));

    public static IEnumerable<ServerDefects> All => Enum.GetValues<ServerDefects>().Where(d => d != ServerDefects.None);

    /// <summary>Parses "truncate-files,hang-on-truncated-body".</summary>
    public static ServerDefects Parse(string list)
    {
        var result = ServerDefects.None;
        foreach (var name in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var match = All.FirstOrDefault(d => Name(d) == name);
            if (match == ServerDefects.None)
                throw new ArgumentException($"no defect '{name}' (defects: {string.Join(", ", All.Select(Name))})");
            result |= match;
        }
        return result;
    }
}
