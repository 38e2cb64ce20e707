using System.Globalization;
using System.Xml.Linq;
using UploadConformance.Results;
using UploadConformance.Text;
using UploadConformance.Verification;

namespace UploadConformance.Reporting;

/// <summary>junit.xml in the form Jenkins, GitLab, GitHub and Azure DevOps read (docs/junit.xsd): a
/// testsuite per suite with a testcase per case, and a "thresholds" testsuite with a testcase per
/// threshold. A fail and a breached threshold are failures; non-strict and informational cases pass
/// with their reason in system-out, so CI shows them without failing the build. Every text a target
/// may have shaped goes through <see cref="UntrustedText.ForMarkup"/>: XML 1.0 cannot hold a NUL.</summary>
public sealed class JUnitReport : IReportWriter
{
    public string FileName => "junit.xml";

    public string Render(ResultsDocument document)
    {
        var suites = document.Cases.GroupBy(c => c.Suite)
            .Select(g => Suite(g.Key, g.Select(Case).ToList(), g.Sum(c => c.DurationMs), document)).ToList();
        if (document.Load is { } load)
        {
            var cases = load.Thresholds.Select(t => new XElement("testcase",
                new XAttribute("classname", $"load.{S(load.Scenario)}"),
                new XAttribute("name", S(t.Text)),
                new XAttribute("time", "0"),
                t.Passed ? null : new XElement("failure",
                    new XAttribute("message", S($"threshold breached: {t.Text} (actual {t.ActualText})")),
                    new XAttribute("type", "threshold"), $"{t.Metric} was {F(t.Actual)}"))).ToList();
            suites.Add(Suite($"load.{load.Scenario}.thresholds", cases, load.DurationMs, document));
        }
        var root = new XElement("testsuites",
            new XAttribute("name", "UploadConformance"),
            new XAttribute("tests", suites.Sum(s => (int)s.Attribute("tests")!)),
            new XAttribute("failures", suites.Sum(s => (int)s.Attribute("failures")!)),
            new XAttribute("errors", 0),
            new XAttribute("time", F(document.Run.DurationMs / 1000)),
            suites);
        return new XDocument(new XDeclaration("1.0", "utf-8", null), root).Declaration + "\n" + root;
    }

    private static XElement Suite(string name, List<XElement> cases, double durationMs, ResultsDocument document) =>
        new("testsuite",
        new XAttribute("name", S(name)),
        new XAttribute("tests", cases.Count),
        new XAttribute("failures", cases.Count(c => c.Element("failure") is not null)),
        new XAttribute("errors", 0),
        new XAttribute("skipped", 0),
        new XAttribute("time", F(durationMs / 1000)),
        new XAttribute("timestamp",
        document.Run.StartedAt.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)),
        new XAttribute("hostname", "localhost"),
        new XElement("properties",
            new XElement("property", new XAttribute("name", "target"),
            new XAttribute("value", S(document.Run.Target.Url))),
            new XElement("property", new XAttribute("name", "seed"), new XAttribute("value", document.Run.Seed)),
            document.Run.Tls is { } tls
                ? new XElement("property", new XAttribute("name", "tls"),
                    new XAttribute("value", tls.Insecure ? $"{tls.Http}, INSECURE: certificates not checked"
                    : tls.Http))
                : null),
        cases);

    private static XElement Case(CaseResult c) => new("testcase",
        new XAttribute("classname", c.Suite),
        new XAttribute("name", c.Id),
        new XAttribute("time", F(c.DurationMs / 1000)),
        c.Verdict == Verdict.Fail
            ? new XElement("failure",
                new XAttribute("message", S(c.Reason)),
                new XAttribute("type", c.Severity is { } severity ? VerdictWords.Word(severity) : "fail"),
                S(string.Join("\n", c.Checks.Select(k => k.ToString()))
                  + $"\nstatus: {c.Outcome.Status?.ToString(CultureInfo.InvariantCulture) ?? "none"} "
                      + $"({c.Outcome.ErrMsg})\nanswer: {c.Outcome.BodyExcerpt}"))
            : null,
        c.Verdict is Verdict.NonStrict or Verdict.Informational
            ? new XElement("system-out", S($"{VerdictWords.Word(c.Verdict)}: {c.Reason}"))
            : null);

    private static string S(string? text) => UntrustedText.ForMarkup(text);

    private static string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
}
