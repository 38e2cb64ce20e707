using System.Globalization;
using UploadConformance.Payloads;

namespace UploadConformance.Cli;

/// <summary>A verb followed by <c>--name value</c> and <c>--flag</c> options, checked against the
/// options the verb declares: an unknown or unused one is an error, never silently ignored.</summary>
public sealed class Arguments
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    private readonly List<string> _positional = [];

    public sealed record Spec(string Verb, IReadOnlySet<string> Values, IReadOnlySet<string> Flags)
    {
        public Spec(string verb, string[] values, string[] flags) : this(verb, values.ToHashSet(), flags.ToHashSet()) { }
    }

    private readonly Spec _spec;

    public Arguments(IReadOnlyList<string> args, Spec spec)
    {
        _spec = spec;
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
            if (!spec.Values.Contains(name) && !spec.Flags.Contains(name))
                throw new UsageException($"unknown option --{name} for '{spec.Verb}' (see --help)");
            if (eq < 0 && spec.Values.Contains(name))
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

    /// <summary>Like <see cref="EnsureAllUsed"/>, for a verb that takes positional arguments.</summary>
    public void EnsureAllUsedButPositional()
    {
        if (_options.Count > 0) throw new InvalidOperationException($"'{_spec.Verb}' declares --{_options.Keys.First()} but never reads it");
    }

    /// <summary>Call after a verb has read every option it knows.</summary>
    public void EnsureAllUsed()
    {
        if (_options.Count > 0) throw new InvalidOperationException($"'{_spec.Verb}' declares --{_options.Keys.First()} but never reads it");
        if (_positional.Count > 0) throw new UsageException($"unexpected argument '{_positional[0]}' for '{_spec.Verb}' (see --help)");
    }
}
