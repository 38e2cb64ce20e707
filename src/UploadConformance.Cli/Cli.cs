using UploadConformance.Cli.Commands;
using UploadConformance.Results;

namespace UploadConformance.Cli;

public static class Cli
{
    public const string Help = """
        usage: run.sh [verb] [options]

        verbs:
          run      (default) the smoke suite against the embedded reference server, or --target;
                   every upload verified; writes reports/<run>/results.json and summary.md
                   --target <url> --field <name> --seed <n> --out <dir>
          conform  the conformance catalog against --target (or the embedded reference server);
                   a verdict per case with its evidence; writes results.json and summary.md
                   --target <url> --profile <file.yaml> --suite <name[,name]> --case <id|prefix*>
                   --seed <n> --out <dir>
          cases    every case with its stable id and one-line description
                   --suite <name> --case <id|prefix*>
          load     a load scenario against --target (or the embedded reference server): NBomber's
                   load simulations, HdrHistogram latency from the intended start, thresholds
                   --scenario <file.yaml> (required) --target <url> --profile <file.yaml>
                   --duration <30s> --rate <n> --seed <n> --out <dir>
          report   rebuild a run's reports from its results.json; with several run folders, a
                   comparison: verdicts case by case, load against the first run
                   <dir> [<dir>…] --out <dir> --tolerance <10%> --fail-on-regression
          serve    the reference upload server alone
                   --port <n> (8090) --host <ip> (127.0.0.1) --field <name> (images)
                   --max-file-bytes <size> (64MiB) --storage <dir> --quiet
                   --defect <name[,name]>  bugs on purpose, to see the suite catch them: truncate-files,
                     status500-on-malformed, drop-nested-fields, keep-partial-files,
                     hang-on-truncated-body, latin1-filenames, ignore-limits, html-errors
          upload   one upload of your own file or a generated payload, verified, with peak memory
                   --file <path> | --size <size>  --target <url> --field <name> --filename <name>
                   --content-type <type> --chunked --abort <50%|bytes> --rate <bytes/s>
                   --timeout <ms> --seed <n> --out <dir>

        TLS, for run, conform, load and upload: --ca <pem> trusts a staging CA; --insecure checks no
        certificate (said loudly in every report); --cert <pem> [--key <pem>] sends a client
        certificate (mutual TLS); --http 1.1|2 (on http://, 2 is h2c with prior knowledge);
        --https serves the embedded server over HTTPS with a certificate made at start (and trusts
        it). serve takes --https, --client-ca <pem> (require client certificates) and --h2c.

        exit codes: 0 all verified · 1 failures or a threshold breached · 2 bad usage or config
                    · 3 target unreachable
                    · 130 interrupted (Ctrl-C; results so far written)

        """;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (args.Any(a => a is "--help" or "-h" or "help"))
        {
            stdout.Write(Help);
            return ExitCodes.Ok;
        }
        var hasVerb = args.Length > 0 && !args[0].StartsWith('-');
        var verb = hasVerb ? args[0] : "run";
        var rest = hasVerb ? args[1..] : args;
        try
        {
            return verb switch
            {
                "run" => await RunCommand.ExecuteAsync(new Arguments(rest, RunCommand.Options), stdout, cancellationToken),
                "serve" => await ServeCommand.ExecuteAsync(new Arguments(rest, ServeCommand.Options), stdout, cancellationToken),
                "upload" => await UploadCommand.ExecuteAsync(new Arguments(rest, UploadCommand.Options), stdout, cancellationToken),
                "conform" => await ConformCommand.ExecuteAsync(new Arguments(rest, ConformCommand.Options), stdout, cancellationToken),
                "cases" => await CasesCommand.ExecuteAsync(new Arguments(rest, CasesCommand.Options), stdout),
                "load" => await LoadCommand.ExecuteAsync(new Arguments(rest, LoadCommand.Options), stdout, cancellationToken),
                "report" => await ReportCommand.ExecuteAsync(new Arguments(rest, ReportCommand.Options), stdout),
                _ => throw new UsageException($"unknown verb '{verb}' (verbs: run, conform, cases, load, report, serve, upload; see --help)"),
            };
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"uc: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (ResultsFileException e)
        {
            stderr.WriteLine($"uc: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (TargetUnreachableException e)
        {
            stderr.WriteLine($"uc: {e.Message}");
            return ExitCodes.Unreachable;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            stderr.WriteLine("uc: interrupted");
            return ExitCodes.Interrupted;
        }
    }
}
