using System.CommandLine;
using UploadConformance.Cluster;
using UploadConformance.Reporting;
using UploadConformance.Results;
using UploadConformance.Targets;
using UploadConformance.Wire;

namespace UploadConformance.Cli.Commands;

/// <summary><c>worker</c>: one load generator of a coordinated run. It takes its share from the
/// coordinator, starts at the common instant, reports every second, stops when told, and writes its own
/// results.json too (so <c>merge</c> can rebuild the run if the coordinator is lost).</summary>
public static class WorkerCommand
{
    /// <summary>The index a Kubernetes Indexed Job gives each of its pods.</summary>
    public const string IndexVariable = "JOB_COMPLETION_INDEX";

    public static Command Create(CliContext context)
    {
        var command = new Command("worker",
            "one load generator of a coordinated run: its share of the scenario, started with the others");
        var coordinator = CliOptions.Url("--coordinator", "the coordinator's URL, e.g. http://127.0.0.1:8800");
        coordinator.Required = true;
        var name = CliOptions.Text("--name", "name",
            "how reports name this worker (default: the host name and its share, such as host-2)");
        var index = CliOptions.OptionalInt("--index", "i",
            $"take share i (from 0); default ${IndexVariable} when set, else the first free share", min: 0);
        var wait = CliOptions.Duration("--wait", "time",
            "how long to wait for the coordinator, and for the other workers to be ready (2m)");
        var output = CliOptions.Text("--out", "dir",
            "this worker's run folder; {index} in it becomes its share's number "
            + "(default: reports/<timestamp>-worker-<i>)");
        foreach (var option in new Option[] { coordinator, name, index, wait, output }) command.Options.Add(option);
        var tlsArguments = new TlsArguments(command, embeddedServer: false);
        command.SetAction(async (parse, _) =>
        {
            var (tls, _) = tlsArguments.Read(parse, null);
            var given = parse.GetValue(index);
            if (given is null && Environment.GetEnvironmentVariable(IndexVariable) is { Length: > 0 } fromJob)
                given = int.TryParse(fromJob, out var i) && i >= 0 ? i
                    : throw new UsageException($"{IndexVariable} is '{fromJob}', not a share number");
            var chosen = parse.GetValue(name);
            var registration = new Registration(
                chosen ?? Environment.GetEnvironmentVariable("HOSTNAME") ?? Environment.MachineName,
                ToolInfo.Current.Version, given, Guid.NewGuid().ToString("N"), NameGiven: chosen is not null);
            return await ExecuteAsync(context, new Options(parse.GetValue(coordinator)!, registration,
                parse.GetValue(wait) ?? TimeSpan.FromMinutes(2), parse.GetValue(output), tls));
        });
        return command;
    }

    /// <summary>The command line, bound once.</summary>
    public sealed record Options(Uri Coordinator, Registration Registration, TimeSpan Wait, string? OutDir,
        TlsOptions Tls);

    private static async Task<int> ExecuteAsync(CliContext context, Options options)
    {
        var (coordinatorUrl, registration, wait, outDir, tls) = options;
        var stdout = context.Out;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var client = new CoordinatorClient(coordinatorUrl, http);
        Assignment assignment;
        try
        {
            assignment = await client.RegisterAsync(registration, wait, context.Token);
        }
        catch (ClusterException e)
        {
            throw new TargetUnreachableException(e.Message);
        }
        var split = assignment.Run;
        var url = new Uri(split.Target);
        TargetProfile profile;
        try
        {
            profile = split.Profile();
        }
        catch (ProfileException e)
        {
            throw new UsageException(e.Message);
        }
        var scenario = LoadCommand.Prepare((split.ScenarioYaml, split.ScenarioSource), split.Changes,
            Scenarios.Scenario.Rows(profile.Flow));
        var started = DateTimeOffset.Now;
        var folder = context.Folders.Prepare(
            outDir?.Replace("{index}", assignment.Index.ToString(System.Globalization.CultureInfo.InvariantCulture),
                StringComparison.Ordinal), $"worker-{assignment.Index}", started);
        stdout.WriteLine($"UploadConformance {ToolInfo.Current.Version}: worker {assignment.Index}/{assignment.Count} "
            + $"({registration.NameFor(assignment.Index)}) of scenario '{scenario.Name}' against {url}");
        await using var target = await Target.ForProfileAsync(profile, tls, context.Token);
        var worker = new Worker(client, assignment, scenario, target.Profile, target.Tls);
        (Load.LoadOutcome Outcome, LoadResults Results, bool Delivered) run;
        try
        {
            run = await worker.RunAsync(wait, stdout.WriteLine, () => context.Stop.Reason, context.Token);
        }
        catch (ClusterException e)
        {
            throw new TargetUnreachableException(e.Message);
        }
        foreach (var line in ConsoleSummary.Load(RunSummary.OfLoad(run.Results))) stdout.WriteLine(line);
        var record = new RunRecord("worker", started, folder, target, scenario.Seed)
        {
            DescribeProfile = split.ProfileYaml is not null,
        };
        await RunOutput.WriteAsync(record.Document([], run.Results, run.Outcome.Interrupted), folder, stdout);
        if (context.Token.IsCancellationRequested) return context.Stop.ExitCode;
        if (!run.Delivered)
        {
            stdout.WriteLine($"the coordinator did not take the final report; this worker's results are in {folder} "
                + "(uc merge rebuilds the run from every worker's)");
            return ExitCodes.Unreachable;
        }
        // The cluster's verdict (thresholds on merged data) is the coordinator's exit code, not ours.
        return ExitCodes.Ok;
    }
}
