using UploadConformance.Cli;

using var interrupt = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl-C stops the run and lets it write what it has; a second one kills the process.
    if (interrupt.IsCancellationRequested) return;
    e.Cancel = true;
    interrupt.Cancel();
};
Console.OutputEncoding = System.Text.Encoding.UTF8;
return await Cli.RunAsync(args, Console.Out, Console.Error, interrupt.Token);
