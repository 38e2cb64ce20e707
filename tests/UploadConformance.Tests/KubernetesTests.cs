using System.Diagnostics;
using k8s.Models;
using UploadConformance.Cli.Commands;
using UploadConformance.Cluster;

namespace UploadConformance.Tests;

/// <summary>Runs only where a cluster is: with KUBECONFIG set.</summary>
public sealed class KubeconfigFactAttribute : FactAttribute
{
    public KubeconfigFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("KUBECONFIG") is not { Length: > 0 })
            Skip = "no Kubernetes cluster here: set KUBECONFIG (and UC_IMAGE, UC_TARGET) to run the manifests on "
                + "one; the project's machines have no API server, so PodmanTests runs the pods instead";
    }
}

/// <summary>The manifests <c>uc k8s</c> writes: as the golden file says, read back strictly by the
/// official client's models (a field Kubernetes does not have fails), secrets referenced, never held.</summary>
public class KubernetesTests
{
    private static string Golden => Path.Combine(Repo.Root, "tests", "golden", "k8s");

    private static async Task<string> WriteAsync()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"uc-k8s-{Guid.NewGuid():N}");
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var code = await Cli.Cli.RunAsync(["k8s", "--workers", "8", "--scenario",
            Path.Combine(Golden, "scenario.yaml"), "--profile", Path.Combine(Golden, "profile.yaml"), "--target",
            "http://upload.staging.svc:8080/api/upload", "--image", "registry.example/uploadconformance:0.1.0",
            "--name", "photos", "--namespace", "load", "--duration", "2m", "--metrics", "prometheus", "--out", dir],
            stdout, stderr,
            CancellationToken.None);
        Assert.True(code == 0, stderr.ToString());
        Assert.Contains("kubectl create secret generic photos-secrets --from-literal=UPLOAD_TOKEN=...",
            stdout.ToString());
        return await File.ReadAllTextAsync(Path.Combine(dir, K8sCommand.FileName));
    }

    [Fact]
    public async Task The_manifests_are_the_golden_file()
    {
        var yaml = await WriteAsync();
        var golden = Path.Combine(Golden, "uploadconformance.yaml");
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1") await File.WriteAllTextAsync(golden, yaml);
        Assert.Equal(await File.ReadAllTextAsync(golden), yaml);
    }

    [Fact]
    public async Task Read_back_strictly_they_are_a_coordinator_its_service_and_an_indexed_job_of_workers()
    {
        var objects = KubernetesManifests.Read(await WriteAsync());
        Assert.Equal(["ConfigMap", "PersistentVolumeClaim", "Service", "Job", "Job"],
            objects.Cast<k8s.IKubernetesObject>().Select(o => o.Kind));
        var workers = objects.OfType<V1Job>().Single(j => j.Metadata.Name == "photos-workers");
        Assert.Equal("batch/v1", workers.ApiVersion);
        Assert.Equal("Indexed", workers.Spec.CompletionMode);
        Assert.Equal(8, workers.Spec.Completions);
        Assert.Equal(8, workers.Spec.Parallelism);
        Assert.Equal(0, workers.Spec.BackoffLimit);
        Assert.Equal(2 * 60 + 10 * 60, workers.Spec.ActiveDeadlineSeconds);
        var worker = workers.Spec.Template.Spec.Containers.Single();
        Assert.Equal(["worker", "--coordinator", "http://photos-coordinator:8800", "--wait", "5m", "--out",
            "/results/worker-{index}"], worker.Args);
        var coordinatorJob = objects.OfType<V1Job>().Single(j => j.Metadata.Name == "photos-coordinator");
        var coordinator = coordinatorJob.Spec.Template.Spec.Containers.Single();
        Assert.Equal("8", coordinator.Args[coordinator.Args.IndexOf("--workers") + 1]);
        Assert.Equal("0.0.0.0:8800", coordinator.Args[coordinator.Args.IndexOf("--listen") + 1]);
        Assert.Equal("120000ms", coordinator.Args[coordinator.Args.IndexOf("--duration") + 1]);
        Assert.Equal(coordinatorJob.Spec.Template.Metadata.Labels, objects.OfType<V1Service>().Single().Spec.Selector);
        // Live metrics: the merged view on every interface of the pod, reachable and announced for scraping.
        Assert.Equal("prometheus:0.0.0.0:9464", coordinator.Args[coordinator.Args.IndexOf("--metrics") + 1]);
        Assert.Contains(coordinator.Ports, p => (p.Name, p.ContainerPort) == ("metrics", 9464));
        Assert.Contains(objects.OfType<V1Service>().Single().Spec.Ports, p => (p.Name, p.Port) == ("metrics", 9464));
        Assert.Equal("9464", coordinatorJob.Spec.Template.Metadata.Annotations["prometheus.io/port"]);
        Assert.Null(workers.Spec.Template.Metadata.Annotations);
        Assert.Equal(["ReadWriteMany"], objects.OfType<V1PersistentVolumeClaim>().Single().Spec.AccessModes);
        Assert.All(objects.Cast<k8s.IKubernetesObject<V1ObjectMeta>>(), o =>
            Assert.Equal("load", o.Metadata.NamespaceProperty));
        // The secret is a reference in both pods; its value is nowhere.
        foreach (var container in new[] { worker, coordinator })
        {
            var env = Assert.Single(container.Env);
            Assert.Equal(("UPLOAD_TOKEN", "photos-secrets", "UPLOAD_TOKEN"),
                (env.Name, env.ValueFrom.SecretKeyRef.Name, env.ValueFrom.SecretKeyRef.Key));
            Assert.Null(env.Value);
        }
        Assert.Contains("${UPLOAD_TOKEN}", objects.OfType<V1ConfigMap>().Single().Data["profile.yaml"]);
    }

    [Fact]
    public async Task A_misspelled_field_fails_the_strict_read_which_a_lenient_one_would_let_through()
    {
        var yaml = (await WriteAsync()).Replace("completionMode:", "completionMod:", StringComparison.Ordinal);
        var lenient = k8s.KubernetesYaml.LoadAllFromString(yaml);
        Assert.Null(lenient.OfType<V1Job>().Single(j => j.Metadata.Name == "photos-workers").Spec.CompletionMode);
        var problem = Assert.ThrowsAny<Exception>(() => KubernetesManifests.Read(yaml));
        Assert.Contains("completionMod", problem.ToString());
    }

    [Fact]
    public async Task Bad_input_is_one_line_and_exit_2()
    {
        foreach (var bad in new[] { new[] { "--name", "Not_A_Label" }, ["--memory", "lots"] })
        {
            var stderr = new StringWriter();
            Assert.Equal(2, await Cli.Cli.RunAsync(["k8s", "--workers", "2", "--scenario", "smoke", "--target",
                "http://x/upload", .. bad, "--out", Path.GetTempPath()], new StringWriter(), stderr,
                CancellationToken.None));
            Assert.Single(stderr.ToString().Trim().Split('\n'));
        }
    }

    [KubeconfigFact]
    public async Task On_a_real_cluster_the_run_completes_and_the_coordinator_merges_every_worker()
    {
        // Needs a cluster that has UC_IMAGE and reaches UC_TARGET, and a ReadWriteMany storage class.
        var image = Environment.GetEnvironmentVariable("UC_IMAGE") ?? "uploadconformance:0.1.0";
        var target = Environment.GetEnvironmentVariable("UC_TARGET")
            ?? throw new InvalidOperationException("set UC_TARGET to an upload URL the cluster reaches");
        var dir = Path.Combine(Path.GetTempPath(), $"uc-k8s-live-{Guid.NewGuid():N}");
        var name = $"uc-test-{Guid.NewGuid():N}"[..20];
        Assert.Equal(0, await Cli.Cli.RunAsync(["k8s", "--workers", "3", "--scenario", "smoke", "--target", target,
            "--image", image, "--name", name, "--out", dir], new StringWriter(), new StringWriter(),
            CancellationToken.None));
        var manifests = Path.Combine(dir, K8sCommand.FileName);
        Assert.Equal(0, (await KubectlAsync("apply", "-f", manifests)).Code);
        try
        {
            Assert.Equal(0, (await KubectlAsync("wait", "--for=condition=complete", $"job/{name}-coordinator",
                "--timeout=10m")).Code);
            var log = (await KubectlAsync("logs", $"job/{name}-coordinator")).Output;
            Assert.Contains("workers 3/3", log);
            Assert.DoesNotContain("incomplete:", log);
        }
        finally
        {
            await KubectlAsync("delete", "-f", manifests, "--wait=false");
        }
    }

    private static async Task<(int Code, string Output)> KubectlAsync(params string[] args)
    {
        var start = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output);
    }
}
