using UploadConformance.Load;
using UploadConformance.Payloads;
using UploadConformance.Results;
using UploadConformance.Scenarios;
using UploadConformance.Targets;
using Server = UploadConformance.ReferenceServer.ReferenceServer;

namespace UploadConformance.Tests;

/// <summary>Where upload time goes: a server that works a known time after the last byte shows it as waiting,
/// a link capped at a known rate shows it as sending, and the phases merge exactly across a split run. They
/// measure milliseconds, so they run alone, with the other timing tests.</summary>
[Collection("timing")]
public class PhaseTimingTests
{
    private static async Task<LoadOutcome> RunAsync(Server server, string yaml)
    {
        var scenario = ScenarioLoader.Parse(yaml, "phases.yaml");
        var profile = TargetProfile.Reference(server.UploadUrl);
        using var engine = new LoadEngine(scenario, profile, new RequestMix(scenario, profile, ImageFactory.Default()));
        return await engine.RunAsync(null, CancellationToken.None);
    }

    private static double Ms(HdrHistogram.HistogramBase h, double percentile) =>
        h.GetValueAtPercentile(percentile) / 1000.0;

    [Fact]
    public async Task A_server_working_300_ms_after_the_last_byte_shows_as_waiting_on_both_clients_not_sending()
    {
        await using var server = await Server.StartAsync(
            new ReferenceServer.ReferenceServerOptions { ProcessingTime = TimeSpan.FromMilliseconds(300) });
        // The lean client sends plain bodies, HttpClient the chunked ones: both stamp the phases.
        var outcome = await RunAsync(server, """
            mix:
              - { name: lean, bytes: 20000 }
              - { name: httpclient, bytes: 20000, framing: chunked }
            load:
              - iterationsForConstant: { copies: 2, iterations: 12 }
            thresholds:
              - waiting_p50 > 250ms
              - waiting_p50 < 250ms
            """);
        Assert.Equal(12, outcome.All.Ok);
        foreach (var name in new[] { "lean", "httpclient" })
        {
            var stats = outcome.ByName[name];
            Assert.True(stats.Requests > 0, name);
            var waiting = Ms(stats.Phase(Phase.Waiting), 50);
            // Tolerance: the server's timer fires at 300 ms or later; the client stamps its last byte when its write
            // completes, which on a busy 2-core machine can be a few ms after the server already has it; and
            // scheduling adds up to 200 ms on top.
            Assert.True(waiting is >= 280 and < 500, $"{name}: waiting p50 {waiting} ms for 300 ms of processing");
            Assert.True(Ms(stats.Phase(Phase.Sending), 50) < 100, $"{name}: sending p50 on loopback");
            Assert.Equal(stats.Requests, stats.Phase(Phase.Waiting).TotalCount);
        }
        Assert.Equal([true, false], outcome.Thresholds.Select(t => t.Passed));
        // Every second with answers shows the server's 300 ms as its waiting (the first second also holds the
        // fresh process's warm-up, hence the loose top), and how many were in flight.
        Assert.All(outcome.Series.Where(s => s.Requests > 0), s =>
        {
            Assert.InRange(s.WaitingP95Ms, 280, 2000);
            Assert.InRange(s.InFlight, 1, 2);
        });
    }

    [Fact]
    public async Task A_server_reading_at_8_MiB_a_second_shows_that_rate_as_sending_and_the_buffers_as_waiting()
    {
        const double rate = 8 << 20;
        await using var server = await Server.StartAsync(
            new ReferenceServer.ReferenceServerOptions { ReadRate = (long)rate });
        var outcome = await RunAsync(server, """
            mix:
              - { name: big, bytes: 32MiB, formData: none }
            load:
              - iterationsForConstant: { copies: 1, iterations: 1 }
            """);
        var stats = outcome.ByName["big"];
        Assert.Equal(1, stats.Ok);
        var body = 32.0 * (1 << 20);
        var atRate = body / rate * 1000;
        var sending = Ms(stats.Phase(Phase.Sending), 50);
        var waiting = Ms(stats.Phase(Phase.Waiting), 50);
        // The server takes the body in 4 s. The client's last byte leaves when the buffers between take it (the
        // two sockets', which the kernel grows as it likes, and Kestrel's 1 MiB pipe: 4 to 7 MB seen here), so
        // sending ends that much early and the rest shows as waiting while the server drains them; together
        // they are the 4 s, within 10 % below (the server's clock starts after the headers) and 20 % above
        // (scheduling on 2 shared cores). Unthrottled, this body is "sent" in tens of milliseconds.
        Assert.InRange(sending + waiting, atRate * 0.9, atRate * 1.2);
        Assert.InRange(sending, atRate * 0.55, atRate * 1.1);
        // The upload bandwidth is body bytes over sending: the rate, and at most what the buffers add to it.
        var bandwidth = stats.Phase(Phase.Bandwidth).GetValueAtPercentile(50) * 1000.0;
        Assert.InRange(bandwidth, rate * 0.9, rate * 1.9);
    }

    [Fact]
    public async Task A_link_capped_at_200_kB_a_second_shows_as_sending_and_as_the_upload_bandwidth()
    {
        await using var server = await Server.StartAsync(new ReferenceServer.ReferenceServerOptions());
        var outcome = await RunAsync(server, """
            mix:
              - { name: slow, bytes: 100kB, rate: 200kB }
            load:
              - iterationsForConstant: { copies: 1, iterations: 5 }
            """);
        var stats = outcome.ByName["slow"];
        Assert.Equal(5, stats.Ok);
        // 100 kB at 200 kB/s is half a second of sending; the server answers at once after it. The medians
        // stand beside the first upload of a fresh process, which pays for warming both ends (about 250 ms).
        var sending = Ms(stats.Phase(Phase.Sending), 50);
        Assert.True(sending is >= 450 and < 750, $"sending p50 {sending} ms for 100 kB at 200 kB/s");
        Assert.True(Ms(stats.Phase(Phase.Waiting), 50) < 100, "waiting p50 with no processing");
        var kBps = stats.Phase(Phase.Bandwidth).GetValueAtPercentile(50);
        Assert.True(kBps is >= 140 and <= 230, $"upload bandwidth p50 {kBps} kB/s at a 200 kB/s cap");
    }

    [Fact]
    public async Task Phases_in_results_merge_exactly_and_older_files_without_them_still_merge()
    {
        await using var server = await Server.StartAsync(
            new ReferenceServer.ReferenceServerOptions { ProcessingTime = TimeSpan.FromMilliseconds(20) });
        var yaml = "mix:\n  - { name: s, bytes: 5000 }\n"
            + "load:\n  - iterationsForConstant: { copies: 2, iterations: 10 }\n";
        var scenario = ScenarioLoader.Parse(yaml, "phases.yaml");
        var whole = LoadResults.Of(scenario, await RunAsync(server, yaml));
        var merged = LoadMerge.Merge([whole, whole], whole.DurationMs);
        var one = whole.All.Phases!;
        var two = merged.All.Phases!;
        foreach (var phase in Enum.GetValues<Phase>())
        {
            var (a, b) = (Decode(one, phase), Decode(two, phase));
            Assert.Equal(2 * a.TotalCount, b.TotalCount);
            Assert.Equal(a.GetValueAtPercentile(99), b.GetValueAtPercentile(99));
        }
        Assert.Equal(one.Waiting, two.Waiting);
        // Each second's phases and in-flight peak merge too: histograms added, peaks summed across generators.
        var seconds = LoadMerge.MergeSeries([.. whole.Series, .. whole.Series]);
        Assert.Equal(whole.Series.Count, seconds.Count);
        for (var i = 0; i < seconds.Count; i++)
        {
            Assert.Equal(2 * whole.Series[i].InFlight, seconds[i].InFlight);
            Assert.Equal(whole.Series[i].WaitingP95Ms, seconds[i].WaitingP95Ms);
            Assert.Equal(whole.Series[i].BlockedP95Ms, seconds[i].BlockedP95Ms);
            Assert.Equal(whole.Series[i].ReceivingP95Ms, seconds[i].ReceivingP95Ms);
            foreach (var phase in new Func<SecondStats, string?>[] { s => s.BlockedHistogram, s => s.SendingHistogram,
                s => s.WaitingHistogram, s => s.ReceivingHistogram })
            {
                Assert.Equal(whole.Series[i].Ok, Count(phase(whole.Series[i])!));
                Assert.Equal(2 * Count(phase(whole.Series[i])!), Count(phase(seconds[i])!));
            }
        }
        // A second from a file written before every phase was kept per second merges without them.
        var older = whole.Series.Select(s => s with { BlockedHistogram = null, ReceivingHistogram = null }).ToList();
        Assert.All(LoadMerge.MergeSeries([.. older, .. older]), s => Assert.Null(s.SendingHistogram));
        // A file from before phases were recorded merges as it did, without phases.
        var old = whole with { All = whole.All with { Phases = null }, Names = [.. whole.Names.Select(n =>
            n with { Phases = null })] };
        Assert.Null(LoadMerge.Merge([old, old], old.DurationMs).All.Phases);
    }

    /// <summary>A long run's upload bandwidths are thousands of distinct values whose encoding barely compresses;
    /// HdrHistogram's own reader refused it, and the HTML report of a 60 s HTTP/2 run could not be written.</summary>
    [Fact]
    public void A_histogram_of_thousands_of_distinct_values_decodes_exactly()
    {
        var histogram = NameStats.NewHistogram();
        var random = new Random(7);
        for (var i = 0; i < 20_000; i++)
            histogram.RecordValueWithCount(1 + (long)(random.NextDouble() * 3_000_000_000), random.Next(1, 500));
        var encoded = HistogramCodec.Encode(histogram);
        Assert.Throws<ArgumentException>(() => HdrHistogram.HistogramEncoding.DecodeFromCompressedByteBuffer(
            HdrHistogram.Utilities.ByteBuffer.Allocate(Convert.FromBase64String(encoded)), 0));

        var decoded = HistogramCodec.Decode(encoded);

        Assert.Equal(histogram.TotalCount, decoded.TotalCount);
        foreach (var p in new[] { 5.0, 50, 95, 99.9 })
            Assert.Equal(histogram.GetValueAtPercentile(p), decoded.GetValueAtPercentile(p));
    }

    private static long Count(string encoded) => HistogramCodec.Decode(encoded).TotalCount;

    private static HdrHistogram.HistogramBase Decode(PhaseResults phases, Phase phase)
    {
        var histogram = NameStats.NewHistogram();
        HistogramCodec.AddTo(histogram, phases.Histograms[PhaseResults.Key(phase)]);
        return histogram;
    }
}
