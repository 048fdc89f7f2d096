using System.Globalization;

namespace MLNet.Contrastive.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project tests/MLNet.Contrastive.Benchmarks [-- --quick] [-- --suites a,b,c,d,e,f,g] [-- --help]</c> writes
/// docs/benchmarks.md (<c>--out PATH</c> writes elsewhere). <c>--quick</c> runs tiny sizes to check that the program works (about a minute).
/// A parent process runs the suites; suites a and b re-run this program as a child per batch size
/// (<c>--child step|memory B [--quick]</c>) so that each measurement's memory is its own; suite g runs a child per
/// OpenMP setting (<c>--child neighbour B</c>) next to busy loops (<c>--child burn 0</c>).
/// </summary>
internal static class Program
{
    internal const string ChildFlag = CommandLine.ChildFlag;
    private const string QuickFlag = CommandLine.QuickFlag;

    public static int Main(string[] args)
    {
        CommandLine? commandLine;
        try
        {
            commandLine = CommandLine.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            Console.Error.WriteLine();
            Console.Error.WriteLine(CommandLine.Usage);
            return 2;
        }

        if (commandLine is null)
        {
            Console.WriteLine(CommandLine.Usage);
            return 0;
        }

        var config = commandLine.Quick ? BenchmarkConfig.QuickRun : BenchmarkConfig.Full;
        if (commandLine.ChildSuite is { } childSuite)
        {
            RunChild(config, childSuite, commandLine.ChildBatch);
            return 0;
        }

        var suites = commandLine.Suites;
        var path = commandLine.OutputPath ?? Path.Combine(RepositoryRoot(), "docs", "benchmarks.md");
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

        if (suites.Contains("f"))
        {
            DistributedSuite.Run(report, config);
        }

        if (suites.Contains("g"))
        {
            NoisyNeighbourSuite.Run(report, config);
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
            case DistributedSuite.ChildName:
                DistributedSuite.Child(config, batch);
                break;
            case NoisyNeighbourSuite.ChildName:
                NoisyNeighbourSuite.Child(config, batch);
                break;
            case NoisyNeighbourSuite.BurnName:
                NoisyNeighbourSuite.Burn();
                break;
            default:
                throw new ArgumentException($"Unknown child suite '{suite}'; expected {StepTimeSuite.ChildName}, {MemorySuite.ChildName}, {DistributedSuite.ChildName}, {NoisyNeighbourSuite.ChildName} or {NoisyNeighbourSuite.BurnName}.", nameof(suite));
        }
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
