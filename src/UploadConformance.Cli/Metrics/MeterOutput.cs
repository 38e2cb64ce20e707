using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using UploadConformance.Live;
using UploadConformance.Results;

namespace UploadConformance.Cli;

/// <summary>An output made of one <see cref="LoadMeter"/> and one OpenTelemetry meter provider that
/// reads only it (a scrape counts only its own collections): what the OpenTelemetry-based outputs
/// share. A subclass adds its reader or exporter to the builder.</summary>
public abstract class MeterOutput : ILiveOutput
{
    protected MeterOutput(string scenario, string runId, Action<MeterProviderBuilder> addReader)
    {
        Meter = new LoadMeter();
        var builder = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(r => r
                .AddService("uploadconformance", serviceVersion: ToolInfo.Current.Version, serviceInstanceId: runId)
                .AddAttributes([new("upload.scenario", scenario)]))
            .AddMeter(LoadMeter.MeterName)
            .AddView(instrument => ReferenceEquals(instrument.Meter, Meter.Meter) ? null
                : MetricStreamConfiguration.Drop);
        addReader(builder);
        try
        {
            Provider = builder.Build();
        }
        catch
        {
            Meter.Dispose();
            throw;
        }
    }

    protected LoadMeter Meter { get; }

    protected MeterProvider Provider { get; }

    public void Publish(LiveTotals totals) => Meter.Publish(totals);

    public abstract Task FinishAsync(TextWriter stdout, CancellationToken cancellationToken);

    public virtual void Dispose()
    {
        Provider.Shutdown(MetricsSink.Otlp.TimeoutMs);
        Provider.Dispose();
        Meter.Dispose();
    }
}
