using System.CommandLine;
using System.Text;
using System.Text.RegularExpressions;
using UploadConformance.Cluster;
using UploadConformance.Results;
using UploadConformance.Targets;

namespace UploadConformance.Cli.Commands;

/// <summary><c>k8s</c>: the Kubernetes manifests of a split run, for <c>kubectl apply</c>. Kubernetes
/// schedules the workers; the coordinator merges them into one result.</summary>
public static partial class K8sCommand
{
    public const string FileName = "uploadconformance.yaml";

    public static Command Create(CliContext context)
    {
        var command = new Command("k8s",
            "write the Kubernetes manifests of a run split across --workers pods: a coordinator Job and Service, "
            + "an Indexed Job of workers, the scenario and profile in a ConfigMap, a results volume");
        var split = SplitRunOptions.Create("how many worker pods");
        var image = CliOptions.Text("--image", "ref",
            $"the image built from the Containerfile (default uploadconformance:{ToolInfo.Current.Version})");
        var name = CliOptions.Text("--name", "name", "the prefix of every object's name (default uc-run)");
        var ns = CliOptions.Text("--namespace", "ns", "the namespace (default: kubectl's)");
        var cpu = CliOptions.Text("--cpu", "quantity", "CPU each pod requests (default 1)");
        var memory = CliOptions.Text("--memory", "quantity", "memory each pod requests and is limited to (1Gi)");
        var storage = CliOptions.Text("--storage", "quantity", "the results volume's size (1Gi)");
        var storageClass = CliOptions.Text("--storage-class", "name",
            "the results volume's class; it must offer ReadWriteMany (default: the cluster's)");
        var output = CliOptions.Text("--out", "dir", $"where to write {FileName}");
        output.Required = true;
        var metrics = LiveMetrics.Option();
        metrics.Description = "the coordinator's live metrics (as coordinate --metrics); prometheus listens on "
            + $"every interface of its pod (port {MetricsSink.Prometheus.DefaultPort} unless given), with a Service "
            + "port and prometheus.io annotations";
        foreach (var option in split.All.Concat([image, name, ns, cpu, memory, storage, storageClass, metrics, output]))
            command.Options.Add(option);
        command.SetAction(async (parse, _) =>
        {
            var prefix = parse.GetValue(name) ?? "uc-run";
            if (!DnsLabel().IsMatch(prefix) || prefix.Length > 40)
                throw new UsageException($"--name '{prefix}' is not a DNS label of up to 40 characters "
                    + "(lower-case letters, digits and '-')");
            var (workers, run, planned) = split.Bind(parse);
            // In a pod, a Prometheus endpoint on loopback would reach nobody.
            var sinks = LiveMetrics.Sinks(parse.GetValue(metrics)).Select(sink => sink is MetricsSink.Prometheus p
                ? p with { Host = p.Host == "127.0.0.1" ? "0.0.0.0" : p.Host } : sink).ToList();
            var prometheus = sinks.OfType<MetricsSink.Prometheus>().ToList();
            if (prometheus.Count > 1) throw new UsageException("--metrics: one Prometheus endpoint per coordinator");
            var plan = new KubernetesPlan
            {
                Name = prefix,
                Namespace = parse.GetValue(ns),
                Workers = workers,
                Run = run,
                Image = parse.GetValue(image) ?? $"uploadconformance:{ToolInfo.Current.Version}",
                Cpu = parse.GetValue(cpu) ?? "1",
                Memory = parse.GetValue(memory) ?? "1Gi",
                Storage = parse.GetValue(storage) ?? "1Gi",
                StorageClass = parse.GetValue(storageClass),
                Deadline = (planned.PlannedDuration ?? TimeSpan.FromHours(1)) + TimeSpan.FromMinutes(10),
                Metrics = sinks.Select(s => s.Argument).ToList(),
                PrometheusPort = prometheus.FirstOrDefault()?.Port,
            };
            return await WriteAsync(context.Out, plan, parse.GetValue(output)!);
        });
        return command;
    }

    private static async Task<int> WriteAsync(TextWriter stdout, KubernetesPlan plan, string outDir)
    {
        string yaml;
        try
        {
            yaml = KubernetesManifests.ToYaml(KubernetesManifests.Build(plan));
        }
        catch (FormatException e)
        {
            // A quantity such as --memory 1GB that Kubernetes would not take.
            throw new UsageException(e.Message);
        }
        var path = Path.Combine(outDir, FileName);
        try
        {
            Directory.CreateDirectory(outDir);
            await File.WriteAllTextAsync(path, yaml, new UTF8Encoding(false));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--out {outDir}: cannot write {FileName}: {e.Message}");
        }
        stdout.WriteLine($"wrote {path}");
        if (plan.SecretVariables.Count > 0)
            stdout.WriteLine($"first: kubectl create secret generic {plan.Name}-secrets "
                + string.Join(" ", plan.SecretVariables.Select(v => $"--from-literal={v}=...")));
        stdout.WriteLine($"then:  kubectl apply -f {path}");
        stdout.WriteLine($"watch: kubectl logs -f job/{plan.Name}-coordinator   (its exit code is the run's)");
        stdout.WriteLine($"results: on the volume {plan.Name}-results, under coordinator/ and worker-<i>/");
        return ExitCodes.Ok;
    }

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();
}
