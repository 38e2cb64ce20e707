using System.Text.RegularExpressions;

namespace UploadConformance.Tests;

/// <summary>The folders of src/UploadConformance are the stages data flows through (scenario → request
/// plan → wire → outcome → verdict or statistics → results → report), so a folder uses only those before
/// it: no two folders reach each other. A reference that closes a cycle fails here, naming the files.</summary>
public partial class DependencyTests
{
    [Fact]
    public void No_two_folders_reach_each_other()
    {
        var source = Path.Combine(Repo.Root, "src", "UploadConformance");
        var folders = Directory.GetDirectories(source).Select(Path.GetFileName).OfType<string>()
            .Where(f => f is not ("bin" or "obj")).ToHashSet();
        string[] Files(string folder) =>
            Directory.GetFiles(Path.Combine(source, folder), "*.cs", SearchOption.AllDirectories);
        // The types each folder declares: "Load.Any" is a property named Load, "Load.NameStats" a reference.
        var declared = folders.ToDictionary(f => f, f => Files(f)
            .SelectMany(file => TypeDeclaration().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value))
            .ToHashSet());
        var names = string.Join('|', folders);
        var reference = new Regex($@"using UploadConformance\.({names});|UploadConformance\.({names})\."
            + $@"|(?<![\w.])({names})\.([A-Z]\w*)");
        var edges = new Dictionary<(string From, string To), string>();
        foreach (var folder in folders)
            foreach (var file in Files(folder))
                foreach (Match m in reference.Matches(File.ReadAllText(file)))
                {
                    var to = m.Groups[1].Success ? m.Groups[1].Value
                        : m.Groups[2].Success ? m.Groups[2].Value
                        : declared[m.Groups[3].Value].Contains(m.Groups[4].Value) ? m.Groups[3].Value : null;
                    if (to is not null && to != folder) edges.TryAdd((folder, to), Path.GetRelativePath(source, file));
                }

        // An edge is in a cycle when its target reaches back to its source.
        bool Reaches(string from, string to)
        {
            var seen = new HashSet<string> { from };
            var queue = new Queue<string>([from]);
            while (queue.TryDequeue(out var at))
            {
                if (at == to) return true;
                foreach (var ((_, next), _) in edges.Where(e => e.Key.From == at))
                    if (seen.Add(next)) queue.Enqueue(next);
            }
            return false;
        }
        // The scan sees references at all: the engine runs scenarios, the verifier reads profiles.
        Assert.Contains(("Load", "Scenarios"), edges.Keys);
        Assert.Contains(("Verification", "Targets"), edges.Keys);
        var cyclic = edges.Where(e => Reaches(e.Key.To, e.Key.From))
            .Select(e => $"{e.Key.From}→{e.Key.To} ({e.Value})").ToList();
        Assert.True(cyclic.Count == 0, $"folders that reach each other: {string.Join(", ", cyclic)}");
    }

    [GeneratedRegex(@"\b(?:class|record|struct|interface|enum)\s+(\w+)")]
    private static partial Regex TypeDeclaration();
}
