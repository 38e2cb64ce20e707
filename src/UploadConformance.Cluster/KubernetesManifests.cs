using System.Globalization;
using k8s;
using k8s.Models;

namespace UploadConformance.Cluster;

/// <summary>What <c>uc k8s</c> is asked for: the run, and how to place it.</summary>
public sealed record KubernetesPlan
{
    /// <summary>The prefix of every object's name (a DNS label).</summary>
    public required string Name { get; init; }
    public string? Namespace { get; init; }
    public required int Workers { get; init; }
    /// <summary>The run: scenario and profile go into the ConfigMap, target and overrides into the
    /// coordinator's arguments.</summary>
    public required SplitRun Run { get; init; }
    /// <summary>Environment variables the profile's headers name (<c>${UPLOAD_TOKEN}</c>), read from the
    /// Secret <c>&lt;name&gt;-secrets</c>; never their values.</summary>
    public IReadOnlyList<string> SecretVariables => Run.SecretVariables;
    public required string Image { get; init; }
    public string Cpu { get; init; } = "1";
    public string Memory { get; init; } = "1Gi";
    public string Storage { get; init; } = "1Gi";
    public string? StorageClass { get; init; }
    /// <summary>The whole run's bound: the planned length and a margin; every pod is stopped by then.</summary>
    public required TimeSpan Deadline { get; init; }
    /// <summary>The coordinator's <c>--metrics</c> sinks, as it is given them (its merged live view).</summary>
    public IReadOnlyList<string> Metrics { get; init; } = [];
    /// <summary>The port of the coordinator's Prometheus endpoint among <see cref="Metrics"/>, if any: a
    /// container and Service port, and the prometheus.io annotations scrape configs look for.</summary>
    public int? PrometheusPort { get; init; }
}

/// <summary>The manifests of a split run, built from the official client's models (so a field the API
/// does not have cannot be written): the scenario and profile in a ConfigMap, the coordinator as a Job
/// behind a Service, the workers as an Indexed Job (each pod's <c>JOB_COMPLETION_INDEX</c> is its
/// share), a volume for every results.json, and secrets as references to a Secret, never inlined.</summary>
public static class KubernetesManifests
{
    public const int CoordinatorPort = 8800;
    private const string ConfigMount = "/config";
    private const string ResultsMount = "/results";

    public static IReadOnlyList<IKubernetesObject> Build(KubernetesPlan plan)
    {
        var labels = Labels(plan, null);
        var data = new Dictionary<string, string> { ["scenario.yaml"] = plan.Run.ScenarioYaml };
        if (plan.Run.ProfileYaml is { } profile) data["profile.yaml"] = profile;
        var config = new V1ConfigMap
        {
            ApiVersion = V1ConfigMap.KubeApiVersion,
            Kind = V1ConfigMap.KubeKind,
            Metadata = Meta(plan, $"{plan.Name}-config", labels),
            Data = data,
        };
        var results = new V1PersistentVolumeClaim
        {
            ApiVersion = V1PersistentVolumeClaim.KubeApiVersion,
            Kind = V1PersistentVolumeClaim.KubeKind,
            Metadata = Meta(plan, $"{plan.Name}-results", labels),
            Spec = new V1PersistentVolumeClaimSpec
            {
                // The coordinator and every worker write their results.json to it at once.
                AccessModes = ["ReadWriteMany"],
                StorageClassName = plan.StorageClass,
                Resources = new V1VolumeResourceRequirements
                {
                    Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new(plan.Storage) },
                },
            },
        };
        var coordinatorLabels = Labels(plan, "coordinator");
        var service = new V1Service
        {
            ApiVersion = V1Service.KubeApiVersion,
            Kind = V1Service.KubeKind,
            Metadata = Meta(plan, $"{plan.Name}-coordinator", coordinatorLabels),
            Spec = new V1ServiceSpec
            {
                Selector = coordinatorLabels,
                Ports =
                [
                    new V1ServicePort { Name = "http", Port = CoordinatorPort, TargetPort = CoordinatorPort },
                    .. plan.PrometheusPort is { } metricsPort
                        ? [new V1ServicePort { Name = "metrics", Port = metricsPort, TargetPort = metricsPort }]
                        : Array.Empty<V1ServicePort>(),
                ],
            },
        };
        var coordinatorArgs = new List<string>
        {
            "coordinate", "--workers", plan.Workers.ToString(CultureInfo.InvariantCulture),
            "--scenario", $"{ConfigMount}/scenario.yaml", "--target", plan.Run.Target,
            "--listen", $"0.0.0.0:{CoordinatorPort}", "--wait", "5m", "--out", $"{ResultsMount}/coordinator",
        };
        if (plan.Run.ProfileYaml is not null)
            coordinatorArgs.AddRange(["--profile", $"{ConfigMount}/profile.yaml"]);
        coordinatorArgs.AddRange(plan.Run.Changes.Arguments());
        foreach (var sink in plan.Metrics) coordinatorArgs.AddRange(["--metrics", sink]);
        List<V1ContainerPort> coordinatorPorts =
            [new V1ContainerPort { Name = "http", ContainerPort = CoordinatorPort }];
        Dictionary<string, string>? scrape = null;
        if (plan.PrometheusPort is { } port)
        {
            coordinatorPorts.Add(new V1ContainerPort { Name = "metrics", ContainerPort = port });
            var portText = port.ToString(CultureInfo.InvariantCulture);
            scrape = new() { ["prometheus.io/scrape"] = "true", ["prometheus.io/port"] = portText,
                ["prometheus.io/path"] = "/metrics" };
        }
        var coordinator = Job(plan, $"{plan.Name}-coordinator", coordinatorLabels, Container(plan, coordinatorArgs,
            coordinatorPorts), indexed: null, scrape);
        var workers = Job(plan, $"{plan.Name}-workers", Labels(plan, "worker"), Container(plan,
            [
                "worker", "--coordinator", $"http://{plan.Name}-coordinator:{CoordinatorPort}",
                "--wait", "5m", "--out", $"{ResultsMount}/worker-{{index}}",
            ], null), indexed: plan.Workers);
        return [config, results, service, coordinator, workers];
    }

    /// <summary>Every object as one multi-document YAML file, in the order <c>kubectl apply</c> needs.</summary>
    public static string ToYaml(IEnumerable<IKubernetesObject> objects) =>
        string.Join("---\n", objects.Select(o => KubernetesYaml.Serialize(o).TrimEnd() + "\n"));

    /// <summary>The objects of a YAML file, strictly: a field the API does not have is an error.</summary>
    public static IReadOnlyList<object> Read(string yaml) => KubernetesYaml.LoadAllFromString(yaml, strict: true);

    private static V1Job Job(KubernetesPlan plan, string name, IDictionary<string, string> labels,
        V1Container container, int? indexed, IDictionary<string, string>? annotations = null)
    {
        return new V1Job
        {
            ApiVersion = $"{V1Job.KubeGroup}/{V1Job.KubeApiVersion}",
            Kind = V1Job.KubeKind,
            Metadata = Meta(plan, name, labels),
            Spec = new V1JobSpec
            {
                // A retried worker would be a second generator for the same share: one try each.
                BackoffLimit = 0,
                ActiveDeadlineSeconds = (long)Math.Ceiling(plan.Deadline.TotalSeconds),
                CompletionMode = indexed is null ? null : "Indexed",
                Completions = indexed,
                Parallelism = indexed,
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels, Annotations = annotations },
                    Spec = new V1PodSpec
                    {
                        RestartPolicy = "Never",
                        Containers = [container],
                        Volumes =
                        [
                            new V1Volume { Name = "config", ConfigMap = new V1ConfigMapVolumeSource
                                { Name = $"{plan.Name}-config" } },
                            new V1Volume { Name = "results", PersistentVolumeClaim =
                                new V1PersistentVolumeClaimVolumeSource { ClaimName = $"{plan.Name}-results" } },
                        ],
                    },
                },
            },
        };
    }

    private static V1Container Container(
        KubernetesPlan plan, IList<string> args, IList<V1ContainerPort>? ports) => new()
    {
        Name = "uc",
        Image = plan.Image,
        ImagePullPolicy = "IfNotPresent",
        Args = args,
        Ports = ports,
        Env = plan.SecretVariables.Count == 0 ? null : plan.SecretVariables.Select(v => new V1EnvVar
        {
            Name = v,
            ValueFrom = new V1EnvVarSource
            {
                SecretKeyRef = new V1SecretKeySelector { Name = $"{plan.Name}-secrets", Key = v },
            },
        }).ToList(),
        Resources = new V1ResourceRequirements
        {
            Requests = new Dictionary<string, ResourceQuantity>
            {
                ["cpu"] = new(plan.Cpu), ["memory"] = new(plan.Memory),
            },
            Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new(plan.Memory) },
        },
        VolumeMounts =
        [
            new V1VolumeMount { Name = "config", MountPath = ConfigMount, ReadOnlyProperty = true },
            new V1VolumeMount { Name = "results", MountPath = ResultsMount },
        ],
    };

    private static V1ObjectMeta Meta(KubernetesPlan plan, string name, IDictionary<string, string> labels) =>
        new() { Name = name, NamespaceProperty = plan.Namespace, Labels = labels };

    private static Dictionary<string, string> Labels(KubernetesPlan plan, string? component)
    {
        var labels = new Dictionary<string, string>
        {
            ["app.kubernetes.io/name"] = "uploadconformance",
            ["app.kubernetes.io/instance"] = plan.Name,
        };
        if (component is not null) labels["app.kubernetes.io/component"] = component;
        return labels;
    }
}
