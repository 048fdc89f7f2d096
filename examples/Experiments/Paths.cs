namespace MLNet.Contrastive.Experiments;

/// <summary>Finds the repository root (for docs/) and the shared data folder (../shared/data from the root).</summary>
internal static class Paths
{
    private const string SolutionFile = "MLNet.Contrastive.sln";

    /// <summary>The repository root: the nearest ancestor of the working directory, or else of the program, holding the solution.</summary>
    internal static string? FindRepositoryRoot() =>
        Ancestors(Directory.GetCurrentDirectory()).Concat(Ancestors(AppContext.BaseDirectory))
            .FirstOrDefault(d => File.Exists(Path.Combine(d, SolutionFile)));

    /// <summary>The data folder: <paramref name="explicitDirectory"/> if given, else ../shared/data beside the repository root
    /// (or beside any ancestor of the working directory). Null when no candidate holds the expected files.</summary>
    internal static string? FindData(string? explicitDirectory, string? repositoryRoot)
    {
        if (explicitDirectory is not null)
        {
            return LooksLikeData(explicitDirectory) ? Path.GetFullPath(explicitDirectory) : null;
        }

        var starts = new[] { repositoryRoot, Directory.GetCurrentDirectory(), AppContext.BaseDirectory }.OfType<string>();
        return starts.SelectMany(Ancestors)
            .SelectMany(d => new[] { Path.Combine(d, "..", "shared", "data"), Path.Combine(d, "shared", "data") })
            .Where(LooksLikeData)
            .Select(Path.GetFullPath)
            .FirstOrDefault();
    }

    /// <summary>The files the experiments read, relative to the data folder.</summary>
    internal static readonly string[] RequiredFiles =
    [
        "stsbenchmark/sts-train.csv", "stsbenchmark/sts-dev.csv", "stsbenchmark/sts-test.csv",
        "snli/s1.dev", "snli/s2.dev", "snli/labels.dev", "snli/s1.test", "snli/s2.test", "snli/labels.test",
        "quora/quora-dev.csv", "vocab/bert-base-uncased-vocab.txt",
    ];

    private static bool LooksLikeData(string directory) =>
        Directory.Exists(directory) && RequiredFiles.All(f => File.Exists(Path.Combine(directory, f)));

    private static IEnumerable<string> Ancestors(string start)
    {
        for (var d = new DirectoryInfo(Path.GetFullPath(start)); d is not null; d = d.Parent)
        {
            yield return d.FullName;
        }
    }
}
