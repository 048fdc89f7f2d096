// The QuickStart: dotnet run -c Release --project examples/QuickStart [-- --quick | --from-scratch | --data pairs.tsv | --help]
// Everything happens in QuickStartRunner; this file only parses the command line and reports errors.
using QuickStart;
using Spectre.Console;

QuickStartOptions? options;
try
{
    options = CommandLine.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    Console.Error.WriteLine();
    Console.Error.WriteLine(CommandLine.Usage);
    return 2;
}

if (options is null)
{
    Console.WriteLine(CommandLine.Usage);
    return 0;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true; // stop after the current step instead of killing the process mid-write
    cancel.Cancel();
};
options.CancellationToken = cancel.Token;
// A live progress bar only on an interactive terminal; plain lines when the output is redirected (CI, logs, tests).
// Spectre.Console's profile also says non-interactive under CI and for TERM=dumb.
options.LiveProgressConsole = LiveProgressBar.ChooseConsole(Console.IsOutputRedirected, AnsiConsole.Console);

try
{
    QuickStartRunner.Run(options, Console.Out);
    return 0;
}
catch (Exception e) when (e is DirectoryNotFoundException or FileNotFoundException or InvalidDataException or ArgumentException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("Cancelled; no model was saved.");
    return 130;
}
