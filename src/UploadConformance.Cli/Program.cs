using UploadConformance.Cli;

// A load run's hot loop is a socket round trip. Running its continuations on the socket engine's
// threads rather than hopping to the thread pool saves a thread switch per request, about a fifth of
// the client's CPU at small sizes. The runtime reads this once, at the first socket, so it is set
// before any. Only against an external target: an in-process server's code must not run there.
if (args is ["load", ..] && args.Any(a => a.StartsWith("--target", StringComparison.Ordinal))
    && Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");

// Ctrl-C and SIGTERM stop the run the same way: what was gathered is written, then exit 130 or 143.
using var stop = StopRequest.FromSignals();
Console.OutputEncoding = System.Text.Encoding.UTF8;
return await Cli.RunAsync(args, Console.Out, Console.Error, stop);
