using System.CommandLine;
using System.CommandLine.Invocation;
using UploadConformance.Cli.Commands;
using UploadConformance.Results;
using UploadConformance.Targets;
using UploadConformance.Text;

namespace UploadConformance.Cli;

/// <summary>What every verb is handed: where to write, and the stop request (Ctrl-C or SIGTERM).</summary>
public sealed record CliContext(TextWriter Out, StopRequest Stop)
{
    /// <summary>The run folders this invocation made; the empty ones go when it ends.</summary>
    public ReportFolder Folders { get; } = new();

    public CancellationToken Token => Stop.Token;
}

/// <summary>The <c>uc</c> command line: one System.CommandLine command per verb, each declaring its
/// own options once. Whatever goes wrong before a run starts is one line on stderr and exit code 2;
/// help (<c>--help</c> on any verb), typo suggestions and shell completion come from the parser.</summary>
public static class Cli
{
    public const string ExitCodesHelp = """
        exit codes: 0 all verified · 1 a case failed, a threshold was breached or (report) a regression
                    · 2 bad usage or configuration · 3 target unreachable
                    · 4 a split run incomplete (a worker lost, a share missing from a merge)
                    · 70 an internal error (a bug in uc; one line, UC_DEBUG=1 for the stack trace)
                    · 130 interrupted by Ctrl-C · 143 terminated by SIGTERM (results so far written)
        """;

    public static RootCommand Build(CliContext context)
    {
        var root = new RootCommand($"""
            UploadConformance: does your upload endpoint handle every request wx.uploadFile sends, and how fast?
            With no verb: the smoke suite against the embedded reference server (or --target), then a short load.

            {ExitCodesHelp}
            """);
        RunCommand.Declare(root, context);
        root.Subcommands.Add(
            RunCommand.Declare(new Command("run", "the smoke suite and a short load (the default verb)"), context));
        root.Subcommands.Add(ConformCommand.Create(context));
        root.Subcommands.Add(CasesCommand.Create(context));
        root.Subcommands.Add(LoadCommand.Create(context));
        root.Subcommands.Add(ReportCommand.Create(context));
        root.Subcommands.Add(MergeCommand.Create(context));
        root.Subcommands.Add(CoordinateCommand.Create(context));
        root.Subcommands.Add(WorkerCommand.Create(context));
        root.Subcommands.Add(K8sCommand.Create(context));
        root.Subcommands.Add(ServeCommand.Create(context));
        root.Subcommands.Add(UploadCommand.Create(context));
        root.Subcommands.Add(CompletionCommand.Create(context));
        var help = new Command("help", "verbs, options and exit codes (the same as --help)") { Hidden = true };
        help.SetAction(_ => root.Parse("--help").Invoke(new InvocationConfiguration { Output = context.Out }));
        root.Subcommands.Add(help);
        return root;
    }

    /// <summary>As a test calls it: <paramref name="cancellationToken"/> stands for Ctrl-C.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr,
        CancellationToken cancellationToken)
    {
        using var stop = StopRequest.FromToken(cancellationToken);
        return await RunAsync(args, stdout, stderr, stop).ConfigureAwait(false);
    }

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, StopRequest stop)
    {
        var context = new CliContext(stdout, stop);
        var root = Build(context);
        var parse = root.Parse(args);
        var invocation = new InvocationConfiguration
        {
            Output = stdout,
            Error = stderr,
            EnableDefaultExceptionHandler = false,
            // Signals are ours (StopRequest): the run writes what it gathered and picks the exit code.
            ProcessTerminationTimeout = null,
        };
        try
        {
            if (parse.Action is ParseErrorAction) throw new UsageException(ParseProblem.Describe(parse, root));
            return await parse.InvokeAsync(invocation, stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is UsageException or ResultsFileException or ProfileException
            or ReferenceServer.ReferenceServerStartException or Load.OpenFileLimitException)
        {
            // A scenario, profile or results file that cannot be used, or a server that cannot listen:
            // the user's input, said in one line.
            stderr.WriteLine($"uc: {UntrustedText.ForTerminal(e.Message)}");
            return ExitCodes.Usage;
        }
        catch (TargetUnreachableException e)
        {
            stderr.WriteLine($"uc: {UntrustedText.ForTerminal(e.Message)}");
            return ExitCodes.Unreachable;
        }
        catch (OperationCanceledException) when (stop.Token.IsCancellationRequested)
        {
            stderr.WriteLine($"uc: {stop.Reason}");
            return stop.ExitCode;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A bug of ours, never the runtime's abort (134) with a stack trace: one line, and the trace
            // only when asked for.
            var detail = Environment.GetEnvironmentVariable(DebugVariable) is { Length: > 0 }
                ? e.ToString() : $"{e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}";
            stderr.WriteLine($"uc: internal error ({UntrustedText.ForTerminal(detail)}); please report it, with "
                + $"{DebugVariable}=1 set for the stack trace");
            return ExitCodes.Internal;
        }
        finally
        {
            context.Folders.RemoveEmpty();
        }
    }

    /// <summary>Set to 1 to see an internal error's stack trace.</summary>
    public const string DebugVariable = "UC_DEBUG";
}
