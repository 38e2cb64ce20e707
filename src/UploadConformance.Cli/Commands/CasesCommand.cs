using System.CommandLine;
using UploadConformance.Payloads;
using UploadConformance.Suites.Catalog;
using UploadConformance.Targets;
using UploadConformance.Verification;

namespace UploadConformance.Cli.Commands;

/// <summary><c>cases</c>: every case with its stable id and one-line description.</summary>
public static class CasesCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("cases", "every case with its stable id, one-line description and expectation "
            + "(graded against --profile's declared limits, or the embedded server's)");
        var suite = CatalogOptions.Suite();
        var cases = CatalogOptions.Case();
        var profile = CliOptions.Profile();
        command.Options.Add(suite);
        command.Options.Add(cases);
        command.Options.Add(profile);
        command.SetAction(parse =>
            Execute(context.Out, parse.GetValue(suite), parse.GetValue(cases), parse.GetValue(profile)));
        return command;
    }

    private static int Execute(TextWriter stdout, string? suite, string? casePattern, string? profilePath)
    {
        TargetProfile profile;
        try
        {
            profile = profilePath is null ? Target.ProfileOf(Target.ConformServer, Target.Placeholder)
                : ProfileLoader.Load(profilePath, Target.Placeholder, requireEnvironment: false);
        }
        catch (ProfileException e)
        {
            throw new UsageException(e.Message);
        }
        var selected =
            CatalogOptions.Select(new CatalogContext(profile, 1, ImageFactory.Default()), suite, casePattern);
        var width = selected.Max(c => c.Id.Length);
        foreach (var (name, description, _, _, _) in ConformanceCatalog.Suites)
        {
            var inSuite = selected.Where(c => c.Suite == name).ToList();
            if (inSuite.Count == 0) continue;
            stdout.WriteLine($"{name}: {description} ({inSuite.Count})");
            foreach (var c in inSuite)
            {
                stdout.WriteLine($"  {c.Id.PadRight(width)}  {c.Description}");
                stdout.WriteLine($"  {"".PadRight(width)}  expects: {Grader.ExpectationFor(profile, c)}");
            }
        }
        stdout.WriteLine($"{selected.Count} cases");
        return ExitCodes.Ok;
    }
}
