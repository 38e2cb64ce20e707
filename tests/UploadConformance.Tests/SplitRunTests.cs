using HdrHistogram;
using UploadConformance.Load;
using UploadConformance.Payloads;
using UploadConformance.Results;
using UploadConformance.Scenarios;
using UploadConformance.Targets;
using Server = UploadConformance.ReferenceServer.ReferenceServer;

namespace UploadConformance.Tests;

/// <summary>Work split exactly (k6's execution segments): every simulation's shares add up to the
/// plan, and the generators together send the single-machine run's requests, none twice.</summary>
public class SplitRunTests
{
    [Fact]
    public void A_rate_of_10_over_3_generators_is_4_3_3_rotating_never_3_3_3()
    {
        var segments = Enumerable.Range(0, 3).Select(i => new ExecutionSegment(i, 3)).ToList();
        // The first interval's iterations 0–9, then the next interval's 10–19, numbered across the run.
        var first = segments.Select(s => Enumerable.Range(0, 10).Count(n => s.Owns(n))).ToList();
        var second = segments.Select(s => Enumerable.Range(10, 10).Count(n => s.Owns(n))).ToList();
        Assert.Equal([4, 3, 3], first);
        Assert.Equal([3, 4, 3], second);
        Assert.Equal(Enumerable.Range(0, 30), segments.SelectMany(s => Enumerable.Range(0, 30).Where(n => s.Owns(n)))
            .Order());
        Assert.Equal([4, 3, 3], segments.Select(s => s.ShareOf(10)));
        Assert.Equal([0, 3, 6, 9], segments[0].OwnedCopies(10));
    }

    public static TheoryData<string> Simulations => new()
    {
        "inject: { rate: 20, interval: 1s, during: 2s }",
        "rampingInject: { rate: 30, interval: 500ms, during: 2s }",
        "injectRandom: { minRate: 5, maxRate: 25, interval: 1s, during: 2s }",
        "iterationsForConstant: { copies: 4, iterations: 30 }",
        "iterationsForInject: { rate: 20, interval: 1s, iterations: 25 }",
    };

    [Theory]
    [MemberData(nameof(Simulations))]
    public async Task Three_generators_send_exactly_the_requests_of_one(string simulation)
    {
        await using var server = await Server.StartAsync(new ReferenceServer.ReferenceServerOptions());
        var scenario = ScenarioLoader.Parse($"""
            seed: 5
            mix:
              - {"{"} name: a, bytes: 3KiB, weight: 5 {"}"}
              - {"{"} name: b, bytes: 1KiB, weight: 3 {"}"}
              - {"{"} name: c, bytes: 2KiB, weight: 1 {"}"}
            load:
              - {simulation}
            """, "split.yaml");
        var profile = TargetProfile.Reference(server.UploadUrl);
        async Task<LoadOutcome> Run(ExecutionSegment segment)
        {
            using var engine = new LoadEngine(scenario, profile, new RequestMix(scenario, profile,
                ImageFactory.Default()), segment: segment);
            return await engine.RunAsync(null, CancellationToken.None);
        }
        var runs = await Task.WhenAll(new[] { ExecutionSegment.Whole }
            .Concat(Enumerable.Range(0, 3).Select(i => new ExecutionSegment(i, 3))).Select(Run));
        var (whole, split) = (runs[0], runs[1..]);

        Assert.True(whole.All.Requests > 0);
        Assert.Equal(whole.All.Requests, split.Sum(s => s.All.Requests));
        // The same requests, not only as many: each iteration's number picks its request.
        foreach (var name in whole.ByName.Keys)
            Assert.Equal(whole.ByName[name].Requests, split.Sum(s => s.ByName.GetValueOrDefault(name)?.Requests ?? 0));
        Assert.All(split, s => Assert.InRange(s.All.Requests, whole.All.Requests / 3 - 2, whole.All.Requests / 3 + 2));
        Assert.All(runs, r => Assert.Equal(0, r.All.Failed + r.All.Dropped));
    }

    private static LoadResults Results(string name, params long[] micros)
    {
        var stats = new NameStats();
        foreach (var m in micros)
            stats.Record(new RequestSample(name, TimeSpan.FromMicroseconds(m), TimeSpan.FromMicroseconds(m / 2), 200,
                Wire.FailureKind.None, true, false, null, 1000, 10, 900));
        var second = NameStats.NewHistogram();
        foreach (var m in micros) second.RecordValue(m);
        var service = NameStats.NewHistogram();
        foreach (var m in micros) service.RecordValue(m / 2);
        var duration = TimeSpan.FromSeconds(1);
        return new LoadResults
        {
            Scenario = "merge",
            Model = "open",
            Simulations = [],
            DurationMs = 1000,
            All = LoadNameResults.Of("all", stats, duration),
            Names = [LoadNameResults.Of(name, stats, duration)],
            Series = [SecondStats.Of(0, micros.Length, micros.Length, 0, 0, 1000L * micros.Length, 0, second, service,
                new PhaseHistograms(service, service, second, service), 3)],
            Thresholds = [new ThresholdResult("requests > 5", null, "requests", 0, false)],
            Segment = "0/2",
        };
    }

    [Fact]
    public void Merged_percentiles_are_those_of_every_sample_not_an_average_of_percentiles()
    {
        // A fast generator and a slow one: the true p99 is the slow one's, the average of p99s is not.
        var fast = Results("x", Enumerable.Repeat(1_000L, 99).Append(2_000).ToArray());
        var slow = Results("x", Enumerable.Repeat(50_000L, 9).Append(90_000).ToArray());
        var merged = LoadMerge.Merge([fast, slow]);

        var every = NameStats.NewHistogram();
        foreach (var m in Enumerable.Repeat(1_000L, 99).Append(2_000)
            .Concat(Enumerable.Repeat(50_000L, 9)).Append(90_000)) every.RecordValue(m);
        Assert.Equal(110, merged.All.Requests);
        Assert.Equal(Math.Round(every.GetValueAtPercentile(99) / 1000.0, 3), merged.All.Latency.P99);
        Assert.Equal(Math.Round(every.GetValueAtPercentile(50) / 1000.0, 3), merged.All.Latency.P50);
        Assert.NotEqual((fast.All.Latency.P99 + slow.All.Latency.P99) / 2, merged.All.Latency.P99);
        // Seconds merge by number, the histogram with them; thresholds are evaluated on the merge.
        var second = Assert.Single(merged.Series);
        Assert.Equal(110, second.Requests);
        Assert.Equal(Math.Round(every.GetValueAtPercentile(99) / 1000.0, 3), second.P99Ms, 1);
        Assert.Equal(110, HistogramCodec.Decode(second.ServiceHistogram!).TotalCount);
        Assert.True(Assert.Single(merged.Thresholds).Passed);
        Assert.Null(merged.Segment);
    }

    [Fact]
    public async Task Merge_refuses_what_is_not_one_split_and_says_when_a_share_is_missing()
    {
        var dirs = new List<string>();
        foreach (var segment in new[] { "0/3", "1/3" })
        {
            var dir = Path.Combine(Path.GetTempPath(), $"uc-split-{Guid.NewGuid():N}");
            Assert.Equal(0, await Cli.Cli.RunAsync(["load", "--scenario", "smoke", "--duration", "1s", "--segment",
                segment, "--out", dir], new StringWriter(), new StringWriter(), CancellationToken.None));
            Assert.Equal(segment, ResultsFile.Read(dir).Load!.Segment);
            dirs.Add(dir);
        }
        async Task<(int Code, string Out, string Err)> Merge(params string[] folders)
        {
            var (stdout, stderr) = (new StringWriter(), new StringWriter());
            var code = await Cli.Cli.RunAsync(["merge", .. folders, "--out",
                Path.Combine(Path.GetTempPath(), $"uc-merged-{Guid.NewGuid():N}")], stdout, stderr,
                CancellationToken.None);
            return (code, stdout.ToString(), stderr.ToString());
        }

        var incomplete = await Merge(dirs[0], dirs[1]);
        Assert.Equal(4, incomplete.Code);
        Assert.Contains("merged 2 of 3 generators; incomplete: no results for generator 2/3", incomplete.Out);
        var twice = await Merge(dirs[0], dirs[0]);
        Assert.Equal(2, twice.Code);
        Assert.Contains("are the same share (0/3)", twice.Err);
        var whole = Path.Combine(Path.GetTempPath(), $"uc-whole-{Guid.NewGuid():N}");
        Assert.Equal(0, await Cli.Cli.RunAsync(["load", "--scenario", "smoke", "--duration", "1s", "--out", whole],
            new StringWriter(), new StringWriter(), CancellationToken.None));
        var notSplit = await Merge(dirs[0], whole);
        Assert.Equal(2, notSplit.Code);
        Assert.Contains("not a generator of a split run", notSplit.Err);
    }
}

/// <summary>The engine's histogram encoding is HdrHistogram's own: what we write the library reads,
/// what the library writes we merge, slot for slot.</summary>
public class HistogramCodecTests
{
    private static void Fill(HistogramBase h, int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < 5_000; i++) h.RecordValue((long)Math.Exp(random.NextDouble() * Math.Log(3e9)) + 1);
        h.RecordValueWithCount(1, 7);
        h.RecordValue(3_600_000_000);
    }

    private static IEnumerable<(long Value, long Count)> Counts(HistogramBase h) =>
        h.RecordedValues().Select(v => (v.ValueIteratedTo, v.CountAtValueIteratedTo));

    [Fact]
    public void What_the_engine_writes_the_library_reads()
    {
        var ours = NameStats.NewHistogram();
        Fill(ours, 1);
        var decoded = HistogramCodec.Decode(HistogramCodec.Encode(ours));
        Assert.Equal(ours.TotalCount, decoded.TotalCount);
        Assert.Equal(Counts(ours), Counts(decoded));
        Assert.Equal(ours.GetValueAtPercentile(99.9), decoded.GetValueAtPercentile(99.9));
    }

    [Fact]
    public void What_the_library_writes_the_engine_adds_slot_for_slot_as_decode_and_Add_would()
    {
        var library = new LongHistogram(1, 3_600_000_000, 3);
        Fill(library, 2);
        var encoded = Convert.ToBase64String(Encoded(library));
        var fast = NameStats.NewHistogram();
        Fill(fast, 3);
        var slow = NameStats.NewHistogram();
        Fill(slow, 3);
        HistogramCodec.AddTo(fast, encoded);
        slow.Add(HistogramCodec.Decode(encoded));
        Assert.Equal(slow.TotalCount, fast.TotalCount);
        Assert.Equal(Counts(slow), Counts(fast));
        // Another layout (a file from elsewhere) goes through the library and still adds up.
        var other = new LongHistogram(1, 1_000_000, 2);
        other.RecordValueWithCount(12_345, 3);
        var before = fast.TotalCount;
        HistogramCodec.AddTo(fast, Convert.ToBase64String(Encoded(other)));
        Assert.Equal(before + 3, fast.TotalCount);
    }

    private static byte[] Encoded(HistogramBase h)
    {
        var buffer = HdrHistogram.Utilities.ByteBuffer.Allocate(h.GetNeededByteBufferCapacity());
        var length = h.EncodeIntoCompressedByteBuffer(buffer);
        buffer.Position = 0;
        return Enumerable.Range(0, length).Select(_ => buffer.Get()).ToArray();
    }
}

/// <summary>Registration with a coordinator: a retried registration is the same worker; two workers
/// of one host are two, each named by its share.</summary>
public class RegistrationTests
{
    [Fact]
    public async Task Two_workers_on_one_host_get_two_shares_named_by_their_index()
    {
        var run = new Cluster.SplitRun("mix:\n  - { name: s, bytes: 100 }\nload:\n  - inject: { rate: 1, "
            + "interval: 1s, during: 1s }\n", "t.yaml", "http://127.0.0.1:1/x");
        await using var coordinator = new Cluster.Coordinator(run, 2);
        await coordinator.ListenAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0),
            CancellationToken.None);
        using var http = new HttpClient();
        var client = new Cluster.CoordinatorClient(coordinator.Url, http);
        var version = ToolInfo.Current.Version;
        Cluster.Registration On(string instance) => new("host", version, null, instance, NameGiven: false);
        var first = await client.RegisterAsync(On("a"), TimeSpan.FromSeconds(5), CancellationToken.None);
        var retried = await client.RegisterAsync(On("a"), TimeSpan.FromSeconds(5), CancellationToken.None);
        var second = await client.RegisterAsync(On("b"), TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.Equal(first.Index, retried.Index);
        Assert.NotEqual(first.Index, second.Index);
        Assert.Equal("host-1", On("b").NameFor(1));
        Assert.Equal("w7", new Cluster.Registration("w7", version).NameFor(1));
    }
}
