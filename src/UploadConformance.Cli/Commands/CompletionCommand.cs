using System.CommandLine;

namespace UploadConformance.Cli.Commands;

/// <summary><c>completion bash|zsh</c>: a script that completes verbs, options and their values
/// by asking uc itself (System.CommandLine's <c>[suggest]</c> directive), to source in a shell profile.</summary>
public static class CompletionCommand
{
    public static Command Create(CliContext context)
    {
        var command =
            new Command("completion",
            "a shell completion script: eval \"$(uc completion bash)\" in ~/.bashrc (or zsh)");
        var shell = new Argument<string>("shell") { Description = "bash or zsh" };
        shell.CompletionSources.Add("bash", "zsh");
        shell.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && r.Tokens[0].Value is not ("bash" or "zsh"))
                r.AddError($"completion takes bash or zsh, not '{r.Tokens[0].Value}'");
        });
        command.Arguments.Add(shell);
        command.SetAction(parse =>
        {
            context.Out.Write(parse.GetValue(shell) == "zsh" ? Zsh : Bash);
            return ExitCodes.Ok;
        });
        return command;
    }

    // The command line and cursor position go to uc, which answers one completion a line.
    private const string Bash = """
        _uc_complete() {
          local IFS=$'\n'
          COMPREPLY=($(uc "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null))
        }
        complete -o default -F _uc_complete uc

        """;

    private const string Zsh = """
        _uc_complete() {
          local -a items
          items=("${(@f)$(uc "[suggest:${#BUFFER}]" "${BUFFER}" 2>/dev/null)}")
          compadd -- $items
        }
        compdef _uc_complete uc

        """;
}
