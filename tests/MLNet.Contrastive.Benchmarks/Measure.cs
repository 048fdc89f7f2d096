using System.Diagnostics;
using System.Globalization;

namespace MLNet.Contrastive.Benchmarks;

/// <summary>Timing and memory measurements.</summary>
internal static class Measure
{
    /// <summary>Median wall time of <paramref name="repeats"/> runs after <paramref name="warmup"/> unmeasured ones.</summary>
    public static double MedianSeconds(Action action, int warmup, int repeats)
    {
        for (var i = 0; i < warmup; i++)
        {
            action();
        }

        var times = new double[repeats];
        for (var i = 0; i < repeats; i++)
        {
            var watch = Stopwatch.StartNew();
            action();
            times[i] = watch.Elapsed.TotalSeconds;
        }

        Array.Sort(times);
        return times[repeats / 2];
    }

    /// <summary>Peak resident set size of this process in bytes (VmHWM), or -1 where /proc is missing.</summary>
    public static long PeakRssBytes() => ReadStatusKb("VmHWM:");

    /// <summary>Current resident set size of this process in bytes (VmRSS), or -1 where /proc is missing.</summary>
    public static long RssBytes() => ReadStatusKb("VmRSS:");

    private static long ReadStatusKb(string key)
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status))
        {
            return -1;
        }

        foreach (var line in File.ReadLines(status))
        {
            if (line.StartsWith(key, StringComparison.Ordinal))
            {
                var kb = long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                return kb * 1024;
            }
        }

        return -1;
    }

    /// <summary>
    /// Runs this program again with <paramref name="arguments"/> in a fresh process (so its peak RSS is its own) and
    /// returns the last line it prints.
    /// </summary>
    public static string RunChild(params string[] arguments) => RunChild(arguments, null);

    /// <summary>As <see cref="RunChild(string[])"/>, with environment variables for the child (a null value removes the variable).</summary>
    public static string RunChild(string[] arguments, IReadOnlyDictionary<string, string?>? environment)
    {
        using var process = Process.Start(ChildStartInfo(arguments, environment, redirect: true))!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"Child benchmark {string.Join(' ', arguments)} failed with exit code {process.ExitCode}:\n{output}");
        }

        return output.TrimEnd().Split('\n')[^1];
    }

    /// <summary>How to start this program again with <paramref name="arguments"/> (a null environment value removes the variable).</summary>
    public static ProcessStartInfo ChildStartInfo(string[] arguments, IReadOnlyDictionary<string, string?>? environment, bool redirect)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("No process path.");
        var info = new ProcessStartInfo(self) { RedirectStandardOutput = redirect, UseShellExecute = false };
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }

        var entry = System.Reflection.Assembly.GetEntryAssembly()!.Location;
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            info.ArgumentList.Add(entry);
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }

    /// <summary>Formats bytes as GB with two decimals.</summary>
    public static string Gb(long bytes) => (bytes / 1e9).ToString("0.00", CultureInfo.InvariantCulture);
}
