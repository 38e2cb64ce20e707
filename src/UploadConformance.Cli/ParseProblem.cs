using System.CommandLine;
using System.CommandLine.Parsing;
using UploadConformance.Text;

namespace UploadConformance.Cli;

/// <summary>The first thing wrong with a command line, in one line of our own words, read from the
/// parse result's structure (not from the parser's localised messages), with a suggestion when a
/// misspelt verb or option is close to a real one.</summary>
internal static class ParseProblem
{
    public static string Describe(ParseResult parse, RootCommand root)
    {
        var command = parse.CommandResult.Command;
        var verb = command == root ? "run" : command.Name;
        if (parse.UnmatchedTokens.Count > 0)
        {
            var token = parse.UnmatchedTokens[0];
            if (token.StartsWith('-'))
            {
                var name = token.Split('=')[0];
                var known = command.Options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name));
                return $"unknown option {name} for '{verb}'{Suggest(name, known)} (see {Usage(verb)} --help)";
            }
            if (command == root && parse.Tokens.Count > 0 && parse.Tokens[0].Value == token)
            {
                var verbs = root.Subcommands.Where(c => !c.Hidden).Select(c => c.Name);
                return $"unknown verb '{token}'{Suggest(token, verbs, quote: true)} (verbs: "
                    + $"{string.Join(", ", verbs)}; see --help)";
            }
            return $"unexpected argument '{token}' for '{verb}' (see {Usage(verb)} --help)";
        }
        foreach (var error in parse.Errors)
        {
            if (error.SymbolResult is OptionResult { Option: var option } result
                && option.Arity.MinimumNumberOfValues > 0)
            {
                if (result.IdentifierToken is null) return $"{verb} needs {option.Name} <{option.HelpName}> (see "
                    + $"{Usage(verb)} --help)";
                if (result.Tokens.Count == 0) return $"option {option.Name} needs a value";
                if (result.Tokens.Count > 1
                    && option.Arity.MaximumNumberOfValues == 1) return $"option {option.Name} given twice";
            }
        }
        return parse.Errors[0].Message;
    }

    private static string Usage(string verb) => verb == "run" ? "uc" : $"uc {verb}";

    private static string Suggest(string typed, IEnumerable<string> known, bool quote = false) =>
        Spelling.Closest(typed, known) is not { } best ? "" : quote ? $" (did you mean '{best}'?)"
        : $" (did you mean {best}?)";
}
