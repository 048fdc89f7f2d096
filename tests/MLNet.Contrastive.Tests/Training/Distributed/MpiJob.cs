using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;

namespace MLNet.Contrastive.Tests.Training.Distributed;

/// <summary>Runs tests/MLNet.Contrastive.MpiCheck under MPICH's launcher and parses what its ranks print.</summary>
internal static class MpiJob
{
    /// <summary>The launcher's full name: with Open MPI also installed, plain <c>mpiexec</c> may be Open MPI's.</summary>
    private static readonly string[] Launchers = ["mpiexec.hydra", "mpiexec.mpich"];

    public sealed record Result(int ExitCode, string Output, long ExitedAtUnixMs, TimeSpan Elapsed, bool Killed = false);

    /// <summary>Runs <c>mpiexec.hydra -n ranks dotnet MpiCheck.dll scenario</c>; <paramref name="ranks"/> = 0 runs the program
    /// as a plain process, without a launcher.</summary>
    public static Result Run(int ranks, string scenario, int timeoutSeconds = 120) => Run(ranks, [scenario], timeoutSeconds);

    /// <summary>Runs the program with <paramref name="arguments"/> (the scenario first); when <paramref name="killWhen"/>
    /// returns true for a line of its output, the whole process tree is killed at once (SIGKILL: no handler runs).</summary>
    public static Result Run(int ranks, string[] arguments, int timeoutSeconds, Func<string, bool>? killWhen = null)
    {
        var program = typeof(MpiJob).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "MpiCheckPath").Value!;
        Assert.IsTrue(File.Exists(program), $"the MPI check program was not built: {program}");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var start = new ProcessStartInfo(ranks == 0 ? dotnet : FindLauncher())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        string[] command = ranks == 0 ? [program, .. arguments] : ["-n", ranks.ToString(CultureInfo.InvariantCulture), dotnet, program, .. arguments];
        foreach (var arg in command)
        {
            start.ArgumentList.Add(arg);
        }

        // TERM=dumb keeps the console free of escape sequences; one torch/OpenMP thread per rank on a shared machine.
        start.Environment["TERM"] = "dumb";
        start.Environment["OMP_NUM_THREADS"] = "1";
        start.Environment["OMP_WAIT_POLICY"] = "PASSIVE";
        foreach (var inherited in new[] { "PMI_RANK", "PMI_SIZE", "PMI_FD", "PMIX_RANK", "OMPI_COMM_WORLD_SIZE" })
        {
            start.Environment.Remove(inherited);
        }

        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        var output = new StringBuilder();
        var killed = false;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (output)
            {
                output.Append(e.Data).Append('\n');
                if (!killed && killWhen?.Invoke(e.Data) == true)
                {
                    killed = true;
                    process.Kill(entireProcessTree: true);
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.Append(e.Data).Append('\n');
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeoutSeconds * 1000))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{string.Join(' ', command)} did not finish in {timeoutSeconds} s:\n{output}");
        }

        var exited = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        process.WaitForExit();
        lock (output)
        {
            return new Result(process.ExitCode, output.ToString(), exited, clock.Elapsed, killed);
        }
    }

    /// <summary>Parses the lines starting with <paramref name="kind"/> into key=value maps.</summary>
    public static List<Dictionary<string, string>> Lines(string output, string kind) =>
        output.Split('\n')
            .Where(l => l.StartsWith(kind + " ", StringComparison.Ordinal))
            .Select(l => l.Trim().Split(' ').Skip(1).Where(t => t.Contains('=')).ToDictionary(t => t[..t.IndexOf('=')], t => t[(t.IndexOf('=') + 1)..]))
            .ToList();

    public static double Number(Dictionary<string, string> line, string key) => double.Parse(line[key], CultureInfo.InvariantCulture);

    private static string FindLauncher()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator).Append("/usr/bin");
        foreach (var name in Launchers)
        {
            if (path.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists) is { } found)
            {
                return found;
            }
        }

        Assert.Fail("MPICH's launcher mpiexec.hydra was not found: the data-parallel tests need MPICH (Debian/Ubuntu: apt-get install mpich; .ci/run installs it).");
        return string.Empty;
    }
}
