using System.CommandLine;
using System.CommandLine.Help;
using System.Globalization;

namespace MLNet.Contrastive.Experiments;

/// <summary>The parsed command line (System.CommandLine): which experiments, how large, where the data is.</summary>
internal sealed record CommandLine(string? Only, bool Quick, string? DataDirectory)
{
    internal static readonly string[] Experiments = ["sts", "batch", "dcl", "pretrained", "apidocs"];

    private static readonly Option<string> OnlyOption = new("--only")
    {
        HelpName = "sts|batch|dcl|pretrained|apidocs",
        Description = "Run one experiment: sts (STS-B similarity), batch (batch 32 vs 512 on Quora), dcl (DCL, DCLW vs InfoNCE), pretrained (the same questions fine-tuning all-MiniLM-L6-v2), apidocs (batch 32 vs 512 from all-MiniLM-L6-v2 on the .NET API docs). Default: all five.",
        Validators =
        {
            r =>
            {
                var value = r.GetValueOrDefault<string>();
                if (!Experiments.Contains(value))
                {
                    r.AddError($"Option '--only' expects one of {string.Join(", ", Experiments)}; got '{value}'.");
                }
            },
        },
    };

    private static readonly Option<bool> QuickOption = new("--quick")
    {
        Description = "Small sizes, to check that the program works (the full run took about 5 minutes on 2 cores).",
    };

    private static readonly Option<string> DataOption = new("--data")
    {
        HelpName = "DIR",
        Description = "The folder of the public data (default: ../shared/data beside the repository or one of its ancestors).",
    };

    private static readonly RootCommand Root = new(
        "Experiments on public data (STS-B, SNLI, Quora): rewrites docs/experiments.md and docs/experiments/*.png.\n" +
        "Run: dotnet run -c Release --project examples/Experiments -- [options]")
    {
        OnlyOption, QuickOption, DataOption,
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

    internal bool Runs(string experiment) => Only is null || Only == experiment;

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

        return new CommandLine(result.GetValue(OnlyOption), result.GetValue(QuickOption), result.GetValue(DataOption));
    }
}
