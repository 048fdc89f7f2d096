using System.Globalization;

namespace MLNet.Contrastive.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project tests/MLNet.Contrastive.Benchmarks [-- --quick] [-- --suites a,b,c,d,e]</c> writes
/// docs/benchmarks.md. <c>--quick</c> runs tiny sizes to check that the program works (about a minute).
/// A parent process runs the suites; suites a and b re-run this program as a child per batch size
/// (<c>--child step|memory B [--quick]</c>) so that each measurement's memory is its own.
/// </summary>
internal static class Program
{
    private const string ChildFlag = "--child";
    private const string QuickFlag = "--quick";

    public static int Main(string[] args)
    {
        var config = args.Contains(QuickFlag) ? BenchmarkConfig.QuickRun : BenchmarkConfig.Full;
        var child = Array.IndexOf(args, ChildFlag);
        if (child >= 0)
        {
            RunChild(config, args[child + 1], int.Parse(args[child + 2], CultureInfo.InvariantCulture));
            return 0;
        }

        var suites = Option(args, "--suites")?.Split(',') ?? ["a", "b", "c", "d", "e"];
        var path = Option(args, "--out") ?? Path.Combine(RepositoryRoot(), "docs", "benchmarks.md");
        var report = new Report(config.Quick);
        if (suites.Contains("a"))
        {
            StepTimeSuite.Run(report, config);
        }

        if (suites.Contains("b"))
        {
            MemorySuite.Run(report, config);
        }

        if (suites.Contains("c"))
        {
            EncodeThroughputSuite.Run(report, config);
        }

        if (suites.Contains("d"))
        {
            TransformThroughputSuite.Run(report, config);
        }

        if (suites.Contains("e"))
        {
            MiniLmSuite.Run(report, config);
        }

        report.Write(path);
        return 0;
    }

    /// <summary>The arguments that make a child run <paramref name="suite"/> at <paramref name="batch"/> with this config.</summary>
    public static string[] ChildArguments(BenchmarkConfig config, string suite, int batch) =>
        config.Quick ? [ChildFlag, suite, batch.ToString(CultureInfo.InvariantCulture), QuickFlag] : [ChildFlag, suite, batch.ToString(CultureInfo.InvariantCulture)];

    private static void RunChild(BenchmarkConfig config, string suite, int batch)
    {
        switch (suite)
        {
            case StepTimeSuite.ChildName:
                StepTimeSuite.Child(config, batch);
                break;
            case MemorySuite.ChildName:
                MemorySuite.Child(config, batch);
                break;
            default:
                throw new ArgumentException($"Unknown child suite '{suite}'; expected {StepTimeSuite.ChildName} or {MemorySuite.ChildName}.", nameof(suite));
        }
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(Directory.GetCurrentDirectory()); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "MLNet.Contrastive.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Run from inside the repository (MLNet.Contrastive.sln not found above the current directory), or pass --out <path>.");
    }
}
