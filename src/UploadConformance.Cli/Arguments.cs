using System.Globalization;
using UploadConformance.Payloads;

namespace UploadConformance.Cli;

/// <summary>A verb followed by <c>--name value</c> and <c>--flag</c> options. Every option a verb
/// reads is declared by reading it; whatever is left over at the end is an error, never ignored.</summary>
public sealed class Arguments
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    private readonly List<string> _positional = [];

    public Arguments(IReadOnlyList<string> args, IReadOnlySet<string> flags)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                _positional.Add(arg);
                continue;
            }
            var name = arg[2..];
            string? value = null;
            var eq = name.IndexOf('=');
            if (eq >= 0) (name, value) = (name[..eq], name[(eq + 1)..]);
            else if (!flags.Contains(name))
            {
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    throw new UsageException($"option --{name} needs a value");
                value = args[++i];
            }
            if (!_options.TryAdd(name, value)) throw new UsageException($"option --{name} given twice");
        }
    }

    public IReadOnlyList<string> Positional => _positional;

    public string? Text(string name) => _options.Remove(name, out var v) ? v : null;

    public bool Flag(string name) => _options.Remove(name);

    public int Int(string name, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        var text = Text(name);
        if (text is null) return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
            throw new UsageException($"--{name} takes a whole number from {min} to {max}, not '{text}'");
        return v;
    }

    public long? Bytes(string name)
    {
        var text = Text(name);
        if (text is null) return null;
        if (!ByteSize.TryParse(text, out var v)) throw new UsageException($"--{name} takes a size such as 1500, 200KiB, 5MiB or 1GiB, not '{text}'");
        return v;
    }

    public Uri? Url(string name)
    {
        var text = Text(name);
        if (text is null) return null;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            throw new UsageException($"--{name} takes an http:// or https:// URL, not '{text}'");
        return uri;
    }

    /// <summary>Call after a verb has read every option it knows.</summary>
    public void EnsureAllUsed(string verb)
    {
        if (_options.Count > 0) throw new UsageException($"unknown option --{_options.Keys.First()} for '{verb}' (see --help)");
        if (_positional.Count > 0) throw new UsageException($"unexpected argument '{_positional[0]}' for '{verb}' (see --help)");
    }
}
