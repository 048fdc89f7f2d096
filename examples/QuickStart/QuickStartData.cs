using ExampleData;
using MLNet.Contrastive.Evaluation;

namespace QuickStart;

/// <summary>The data of one QuickStart run: training pairs, a held-out retrieval test set and the corpus searched at the end.</summary>
/// <param name="Description">One line saying where the data came from.</param>
/// <param name="TrainPairs">The training pairs (anchor = query-like text, positive = document-like text).</param>
/// <param name="Test">The held-out test set, possibly a sample of the full one (see <see cref="TestNote"/>).</param>
/// <param name="TestNote">How the test set was obtained, printed with the metrics.</param>
/// <param name="SearchCorpus">The distinct documents the final searches run over (training and test documents).</param>
public sealed record QuickStartData(string Description, IReadOnlyList<ContrastivePair> TrainPairs, RetrievalDataset Test,
    string TestNote, IReadOnlyList<string> SearchCorpus)
{
    /// <summary>Builds the API-documentation task (or reads the user's TSV) and samples the test set to the options' cap.</summary>
    /// <param name="options">The options.</param>
    /// <returns>The data.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="DirectoryNotFoundException">No .NET SDK documentation was found (the message says how to point at it).</exception>
    /// <exception cref="InvalidDataException">The TSV file is malformed (the message gives the line).</exception>
    /// <exception cref="ArgumentException">Too little data to split into training and test sets.</exception>
    public static QuickStartData Load(QuickStartOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (description, train, test) = options.DataPath is { } path ? FromTsv(path, options.Seed) : FromApiDocs(options);
        var (sample, note) = Sample(test, options.MaxTestDocuments, options.Seed);
        var corpus = train.Select(p => p.Positive).Concat(test.Corpus).Distinct(StringComparer.Ordinal).ToList();
        return new QuickStartData(description, train, sample, note, corpus);
    }

    private static (string, IReadOnlyList<ContrastivePair>, RetrievalDataset) FromApiDocs(QuickStartOptions options)
    {
        var folder = options.XmlDocsFolder ?? DotNetSdkLocator.FindReferenceDocsFolder();
        var task = ApiDocsTaskBuilder.Build(new ApiDocsTaskOptions
        {
            XmlDocsFolder = folder, MaximumMembers = options.MaxMembers, Seed = options.Seed,
        });
        string description = $"API docs of {folder}: {task.TrainPairs.Count} training members of {task.TrainTypes.Count} types, " +
            $"{task.Test.Corpus.Count} test members of {task.TestTypes.Count} other types ({task.Test.Queries.Count} distinct summaries; " +
            $"{task.TestQueriesSeenInTraining} of them also summarise a training member)";
        return (description, task.TrainPairs, task.Test);
    }

    // The user's pairs: a seeded 10% of the distinct anchors is held out; their positives form the test corpus.
    private static (string, IReadOnlyList<ContrastivePair>, RetrievalDataset) FromTsv(string path, int seed)
    {
        var pairs = TsvPairsReader.Read(path);
        var anchors = pairs.Select(p => p.Anchor).Distinct(StringComparer.Ordinal).ToArray();
        if (anchors.Length < 10)
        {
            throw new ArgumentException($"'{path}' has {anchors.Length} distinct anchors; expected at least 10 to hold some out for evaluation.", "--data");
        }

        new Random(seed).Shuffle(anchors);
        var held = anchors.Take(Math.Max(1, anchors.Length / 10)).ToHashSet(StringComparer.Ordinal);
        var train = pairs.Where(p => !held.Contains(p.Anchor)).ToList();
        var testPairs = pairs.Where(p => held.Contains(p.Anchor)).ToList();
        var corpus = testPairs.Select(p => p.Positive).Distinct(StringComparer.Ordinal).ToList();
        var position = corpus.Select((d, i) => (d, i)).ToDictionary(x => x.d, x => x.i, StringComparer.Ordinal);
        var queries = testPairs.Select(p => p.Anchor).Distinct(StringComparer.Ordinal).ToList();
        var relevant = queries
            .Select(q => (IReadOnlyCollection<int>)testPairs.Where(p => p.Anchor == q).Select(p => position[p.Positive]).Distinct().ToArray())
            .ToList();
        string description = $"{path}: {pairs.Count} pairs; {train.Count} for training, {testPairs.Count} with {queries.Count} held-out anchors for testing";
        return (description, train, new RetrievalDataset(queries, corpus, relevant));
    }

    private static (RetrievalDataset, string) Sample(RetrievalDataset test, int maxDocuments, int seed)
    {
        if (test.Corpus.Count <= maxDocuments)
        {
            return (test, $"the whole test set: {test.Queries.Count} queries over {test.Corpus.Count} documents");
        }

        var sample = RetrievalSample.ByQueries(test, maxDocuments, seed);
        return (sample, $"a seeded sample of {sample.Queries.Count} of {test.Queries.Count} test queries with their " +
            $"{sample.Corpus.Count} of {test.Corpus.Count} documents (--max-test-docs {maxDocuments}; keeps the evaluation short)");
    }
}
