using System.Diagnostics;

namespace MLNet.Contrastive.Tests.Notebooks;

/// <summary>Runs the <c>dotnet</c> CLI in a child process and captures its output.</summary>
internal static class DotNetCli
{
    internal sealed record Result(int ExitCode, string Output, string Error, TimeSpan Elapsed)
    {
        public override string ToString() => $"exit code {ExitCode} after {Elapsed.TotalSeconds:0.0} s\n{Output}\n{Error}";
    }

    /// <summary>
    /// Runs <c>dotnet &lt;arguments&gt;</c>. The child gets no MSBuild variables of the test host (they would point
    /// a nested build at the test's own MSBuild), no build servers (a lingering compiler or MSBuild node would
    /// inherit the output pipes and keep them open) and the invariant culture (LC_ALL=C), so that the numbers it
    /// prints parse the same everywhere.
    /// </summary>
    internal static Result Run(string workingDirectory, TimeSpan timeout, params string[] arguments) =>
        Run(workingDirectory, timeout, new Dictionary<string, string>(), arguments);

    /// <summary>Runs <c>dotnet &lt;arguments&gt;</c> as <see cref="Run(string, TimeSpan, string[])"/> does, with extra environment variables.</summary>
    internal static Result Run(string workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["UseSharedCompilation"] = "false";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["LC_ALL"] = "C";
        start.Environment["LANG"] = "C";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException(
                $"dotnet {string.Join(' ', arguments)} did not finish in {timeout}. Output so far:\n{Completed(output)}\n{Completed(error)}");
        }

        // The pipes close when the process exits, unless a grandchild still holds them: do not wait for ever.
        Task.WaitAll(new Task[] { output, error }, TimeSpan.FromSeconds(30));
        return new Result(process.ExitCode, Completed(output), Completed(error), stopwatch.Elapsed);
    }

    private static string Completed(Task<string> read) => read.IsCompletedSuccessfully ? read.Result : "(not read)";
}
