using System.Diagnostics;
using k8s;
using k8s.Models;
using UploadConformance.Cluster;
using UploadConformance.Results;

namespace UploadConformance.Tests;

/// <summary>The pods of <c>uc k8s</c>'s manifests in a real container runtime. There is no Kubernetes
/// API server here, and podman's <c>kube play</c> takes Pods, not Jobs, so the Indexed Job is expanded
/// into its pods as the Job controller would (each with its <c>JOB_COMPLETION_INDEX</c>), and the
/// whole run goes: the image made by deploy/local-image.sh (nothing can be pulled), host networking
/// (podman's bridge would add interfaces and firewall rules to the machine), the results volume a
/// host folder.</summary>
[Collection(ReleaseBuild.Name)]
public class PodmanTests(ServeProcessFixture server) : IClassFixture<ServeProcessFixture>
{
    private const int Workers = 2;

    /// <summary>What podman needs on these machines (research: scale-and-metrics-here.md): runc rather
    /// than crun, low ulimits, cgroupfs, events to a file.</summary>
    private const string ContainersConf = """
        [containers]
        default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
        [engine]
        runtime = "runc"
        cgroup_manager = "cgroupfs"
        events_logger = "file"
        """;

    [Fact]
    public async Task The_manifests_pods_run_in_podman_and_the_coordinator_merges_both_workers()
    {
        await Prerequisites.DebianAsync(["/usr/bin/podman", "/usr/sbin/runc", "/usr/bin/catatonit"],
            "podman", "runc", "catatonit");
        var work = Path.Combine(Path.GetTempPath(), $"uc-podman-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(work, "results"));
        var conf = Path.Combine(work, "containers.conf");
        await File.WriteAllTextAsync(conf, ContainersConf);
        var image = $"localhost/uploadconformance:test-{Guid.NewGuid():N}"[..50];
        var (built, buildOutput) = await RunAsync(conf, Path.Combine(Repo.Root, "deploy", "local-image.sh"), image);
        Assert.True(built == 0, buildOutput);
        var pods = Path.Combine(work, "pods.yaml");
        try
        {
            var port = StackFixture.FreePort();
            var manifests = KubernetesManifests.Build(new KubernetesPlan
            {
                Name = "ucpod",
                Workers = Workers,
                Run = new SplitRun("""
                    name: podman
                    seed: 2
                    mix:
                      - { name: small, bytes: 10KiB }
                    load:
                      - inject: { rate: 20, interval: 1s, during: 3s }
                    thresholds:
                      - error_rate < 1%
                    """, "podman.yaml", server.Url.ToString()),
                Image = image,
                Deadline = TimeSpan.FromMinutes(5),
            });
            await File.WriteAllTextAsync(pods, KubernetesManifests.ToYaml(
                AsPods(manifests, port, Path.Combine(work, "results"))));
            var before = await server.RequestsAsync();
            var (played, playOutput) = await RunAsync(conf, "podman", "kube", "play", "--network", "host", pods);
            Assert.True(played == 0, playOutput);
            var (waited, code) = await RunAsync(conf, "podman", "wait", "ucpod-coordinator-uc");
            Assert.True(waited == 0, code);
            var (_, logs) = await RunAsync(conf, "podman", "logs", "ucpod-coordinator-uc");
            Assert.True(code.Trim() == "0", $"the coordinator exited {code}:\n{logs}");

            var merged = ResultsFile.Read(Path.Combine(work, "results", "coordinator")).Load!;
            Assert.Equal(60, merged.All.Requests);
            Assert.Equal(60, await server.RequestsAsync() - before);
            Assert.Equal(Workers, merged.Workers!.Count);
            Assert.All(merged.Workers, w => Assert.Equal(30, w.Requests));
            // Each worker pod wrote its own results, under its index, to the shared volume.
            for (var i = 0; i < Workers; i++)
                Assert.Equal($"{i}/{Workers}", ResultsFile.Read(Path.Combine(work, "results", $"worker-{i}"))
                    .Load!.Segment);
        }
        finally
        {
            await RunAsync(conf, "podman", "kube", "down", pods);
            // kube play made the ConfigMap a volume of that name; kube down leaves it.
            await RunAsync(conf, "podman", "volume", "rm", "-f", "ucpod-config");
            await RunAsync(conf, "podman", "rmi", "-f", image);
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>The ConfigMap and one Pod per pod the Jobs would make: the coordinator, then each
    /// worker with its index; on the host's network with the coordinator on <paramref name="port"/>, the
    /// results volume a host folder, the image local.</summary>
    private static IEnumerable<IKubernetesObject> AsPods(IReadOnlyList<IKubernetesObject> manifests, int port,
        string results)
    {
        var jobs = manifests.OfType<V1Job>().ToList();
        var service = manifests.OfType<V1Service>().Single();
        var serviceUrl = $"http://{service.Metadata.Name}:{KubernetesManifests.CoordinatorPort}";
        V1Pod Pod(V1Job job, string name, int? index)
        {
            // A copy of the template, through YAML: the Job's own objects stay as they were.
            var spec = KubernetesYaml.Deserialize<V1PodSpec>(KubernetesYaml.Serialize(job.Spec.Template.Spec));
            spec.HostNetwork = true;
            foreach (var volume in spec.Volumes.Where(v => v.PersistentVolumeClaim is not null))
            {
                volume.PersistentVolumeClaim = null;
                volume.HostPath = new V1HostPathVolumeSource { Path = results, Type = "Directory" };
            }
            var container = spec.Containers.Single();
            container.ImagePullPolicy = "Never";
            // On the host's network a port is the process's own; podman refuses mappings there.
            container.Ports = null;
            container.Args = container.Args.Select(a => a
                .Replace($"0.0.0.0:{KubernetesManifests.CoordinatorPort}", $"127.0.0.1:{port}",
                    StringComparison.Ordinal)
                .Replace(serviceUrl, $"http://127.0.0.1:{port}", StringComparison.Ordinal)).ToList();
            if (index is { } i)
                container.Env = [.. container.Env ?? [], new V1EnvVar { Name = "JOB_COMPLETION_INDEX",
                    Value = i.ToString() }];
            return new V1Pod
            {
                ApiVersion = V1Pod.KubeApiVersion,
                Kind = V1Pod.KubeKind,
                Metadata = new V1ObjectMeta { Name = name, Labels = job.Spec.Template.Metadata.Labels },
                Spec = spec,
            };
        }
        yield return manifests.OfType<V1ConfigMap>().Single();
        var coordinator = jobs.Single(j => j.Spec.CompletionMode is null);
        yield return Pod(coordinator, coordinator.Metadata.Name, null);
        var workers = jobs.Single(j => j.Spec.CompletionMode == "Indexed");
        for (var i = 0; i < workers.Spec.Completions; i++) yield return Pod(workers, $"{workers.Metadata.Name}-{i}", i);
    }

    /// <summary>A program with CONTAINERS_CONF set, bounded to two minutes; its exit code and output.</summary>
    private static async Task<(int Code, string Output)> RunAsync(string conf, string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["CONTAINERS_CONF"] = conf;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"{file} {string.Join(' ', args)} did not end within 2 minutes");
        }
        return (process.ExitCode, await output + await errors);
    }
}
