using System.CommandLine;
using System.CommandLine.Help;
using System.Globalization;

namespace MLNet.Contrastive.Benchmarks;

/// <summary>The parsed command line (System.CommandLine): which suites, how large, where the report goes; or, for the
/// child processes that suites a and b start, which measurement to take.</summary>
/// <param name="Quick">Tiny sizes.</param>
/// <param name="Suites">The suites to run, of a, b, c, d, e, f, g.</param>
/// <param name="OutputPath">Where to write the report, or null for docs/benchmarks.md.</param>
/// <param name="ChildSuite">In a child process: the suite to measure (step or memory); otherwise null.</param>
/// <param name="ChildBatch">In a child process: the batch size.</param>
internal sealed record CommandLine(bool Quick, string[] Suites, string? OutputPath, string? ChildSuite, int ChildBatch)
{
    internal const string ChildFlag = "--child";
    internal const string QuickFlag = "--quick";

    private static readonly string[] AllSuites = ["a", "b", "c", "d", "e", "f", "g"];

    // Suite f (data-parallel, under mpiexec) runs only when asked for.
    private static readonly string[] DefaultSuites = ["a", "b", "c", "d", "e", "g"];

    private static readonly Option<bool> QuickOption = new(QuickFlag)
    {
        Description = "Tiny sizes, to check that the program works (about a minute).",
    };

    private static readonly Option<string> SuitesOption = new("--suites")
    {
        HelpName = "a,b,c,d,e,f,g",
        Description = "Comma-separated suites: a step time, b peak memory, c encode throughput, d Transform throughput, e MiniLM fine-tuning and Transform vs ONNX Runtime, f data-parallel step over MPI (needs mpiexec.hydra; not in the default), g noisy neighbour (OpenMP settings idle and under contention).",
        DefaultValueFactory = _ => string.Join(',', DefaultSuites),
        Validators =
        {
            r =>
            {
                var unknown = Split(r.GetValueOrDefault<string>()).Where(s => !AllSuites.Contains(s)).ToArray();
                if (unknown.Length > 0)
                {
                    r.AddError($"Option '--suites' expects a comma-separated list of a, b, c, d, e, f, g; got '{string.Join(",", unknown)}'.");
                }
            },
        },
    };

    private static readonly Option<string> OutOption = new("--out")
    {
        HelpName = "path",
        Description = "Where to write the report (default: docs/benchmarks.md of the repository).",
    };

    // Internal protocol between the parent and its child processes: --child step|memory|distributed|neighbour|burn <batch>.
    private static readonly Option<string[]> ChildOption = new(ChildFlag)
    {
        Hidden = true,
        Arity = new ArgumentArity(2, 2),
        AllowMultipleArgumentsPerToken = true,
    };

    private static readonly RootCommand Root = new(
        "Benchmarks of the gradient cache and the transform; rewrites docs/benchmarks.md.\n" +
        "Run: dotnet run -c Release --project tests/MLNet.Contrastive.Benchmarks -- [options]")
    {
        QuickOption, SuitesOption, OutOption, ChildOption,
    };

    /// <summary>Gets the generated help text.</summary>
    internal static string Usage
    {
        get
        {
            using var writer = new StringWriter(CultureInfo.InvariantCulture);
            Root.Parse(["--help"]).Invoke(new InvocationConfiguration { Output = writer, Error = writer });
            return writer.ToString().TrimEnd();
        }
    }

    /// <summary>Parses the arguments; <see langword="null"/> when help was asked for.</summary>
    /// <exception cref="ArgumentException">An unknown option or a missing or invalid value; the message says which.</exception>
    internal static CommandLine? Parse(string[] args)
    {
        var result = Root.Parse(args);
        if (result.Action is HelpAction)
        {
            return null;
        }

        if (result.Errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", result.Errors.Select(e => e.Message)) + " See --help.");
        }

        var errors = new List<string>();
        var child = result.GetValue(ChildOption);
        var batch = 0;
        if (child is { Length: 2 } && !(int.TryParse(child[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out batch) && batch >= 0))
        {
            errors.Add($"Option '{ChildFlag}' expects a suite and a batch size >= 0; got '{child[1]}'.");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors) + " See --help.");
        }

        return new CommandLine(result.GetValue(QuickOption), Split(result.GetValue(SuitesOption)), result.GetValue(OutOption), child is { Length: 2 } ? child[0] : null, batch);
    }

    private static string[] Split(string? list) =>
        (list ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
