namespace MLNet.Contrastive.Experiments;

/// <summary>The parsed command line: which experiments, how large, where the data is.</summary>
internal sealed record CommandLine(string? Only, bool Quick, string? DataDirectory)
{
    internal const string Usage =
        "Usage: dotnet run -c Release --project examples/Experiments [-- [--only sts|batch|dcl] [--quick] [--data DIR]]";

    internal static readonly string[] Experiments = ["sts", "batch", "dcl"];

    internal bool Runs(string experiment) => Only is null || Only == experiment;

    internal static CommandLine Parse(string[] args)
    {
        string? only = null, data = null;
        var quick = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    quick = true;
                    break;
                case "--only" when i + 1 < args.Length && Experiments.Contains(args[i + 1]):
                    only = args[++i];
                    break;
                case "--data" when i + 1 < args.Length:
                    data = args[++i];
                    break;
                default:
                    throw new ArgumentException($"Unexpected argument '{args[i]}' (or a missing/invalid value after it). {Usage}", nameof(args));
            }
        }

        return new CommandLine(only, quick, data);
    }
}
