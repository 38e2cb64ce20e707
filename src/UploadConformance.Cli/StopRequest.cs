using System.Runtime.InteropServices;

namespace UploadConformance.Cli;

/// <summary>A stop asked for from outside the run: Ctrl-C (SIGINT) or SIGTERM, which is what
/// <c>docker stop</c>, systemd, Kubernetes and CI cancellation send before SIGKILL. Either one
/// cancels <see cref="Token"/>; the run then writes what it gathered and exits with the code
/// the signal documents (130 or 143). The first signal wins; a second Ctrl-C kills the process.</summary>
public sealed class StopRequest : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly List<IDisposable> _registrations = [];
    private int _stopped;

    private StopRequest(CancellationTokenSource source) => _source = source;

    public CancellationToken Token => _source.Token;

    /// <summary>Words for results and reports: "interrupted by Ctrl-C" or "terminated by SIGTERM".</summary>
    public string Reason { get; private set; } = Interrupted;

    /// <summary>130 for SIGINT, 143 for SIGTERM (128 + the signal's number, the shell convention).</summary>
    public int ExitCode { get; private set; } = ExitCodes.Interrupted;

    public const string Interrupted = "interrupted by Ctrl-C";
    public const string Terminated = "terminated by SIGTERM";

    /// <summary>Listens for SIGINT and SIGTERM for the life of the process.</summary>
    public static StopRequest FromSignals()
    {
        var stop = new StopRequest(new CancellationTokenSource());
        stop._registrations.Add(
            PosixSignalRegistration.Create(PosixSignal.SIGINT, c => stop.OnSignal(c, sigterm: false)));
        stop._registrations.Add(
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => stop.OnSignal(c, sigterm: true)));
        return stop;
    }

    /// <summary>A stop driven by a token, as a caller in the same process (a test) presses Ctrl-C.</summary>
    public static StopRequest FromToken(CancellationToken token)
    {
        var stop = new StopRequest(CancellationTokenSource.CreateLinkedTokenSource(token));
        return stop;
    }

    private void OnSignal(PosixSignalContext context, bool sigterm)
    {
        // A second Ctrl-C after the first falls through to the runtime's default: the process ends.
        if (Interlocked.Exchange(ref _stopped, 1) == 1 && !sigterm) return;
        context.Cancel = true;
        if (sigterm)
        {
            Reason = Terminated;
            ExitCode = ExitCodes.Terminated;
        }
        _source.Cancel();
    }

    public void Dispose()
    {
        foreach (var registration in _registrations) registration.Dispose();
        _source.Dispose();
    }
}
