using MLNet.Contrastive.Evaluation;

namespace ExampleData;

/// <summary>Smaller retrieval tasks of the same kind, for evaluations that must stay short (the QuickStart, the experiments).</summary>
public static class RetrievalSample
{
    /// <summary>
    /// Whole queries (with all their relevant documents) in seeded order until <paramref name="maxDocuments"/> documents
    /// are reached. Documents relevant to no sampled query are left out, so the sample is a smaller retrieval task of the
    /// same kind. A test set within the cap is returned as it is.
    /// </summary>
    /// <param name="test">The full test set.</param>
    /// <param name="maxDocuments">The most documents the sample may hold.</param>
    /// <param name="seed">The seed of the query order.</param>
    /// <returns>The sample (queries and documents in their original order).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="test"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxDocuments"/> is not positive.</exception>
    public static RetrievalDataset ByQueries(RetrievalDataset test, int maxDocuments, int seed)
    {
        ArgumentNullException.ThrowIfNull(test);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxDocuments);
        if (test.Corpus.Count <= maxDocuments)
        {
            return test;
        }

        var order = Enumerable.Range(0, test.Queries.Count).ToArray();
        new Random(seed).Shuffle(order);
        var picked = new List<int>();
        int documents = 0;
        foreach (int q in order)
        {
            if (documents + test.RelevantDocuments[q].Count > maxDocuments)
            {
                continue;
            }

            picked.Add(q);
            documents += test.RelevantDocuments[q].Count;
        }

        picked.Sort();
        var keep = picked.SelectMany(q => test.RelevantDocuments[q]).Distinct().Order().ToList();
        var newPosition = keep.Select((d, i) => (d, i)).ToDictionary(x => x.d, x => x.i);
        return new RetrievalDataset(
            picked.Select(q => test.Queries[q]).ToList(),
            keep.Select(d => test.Corpus[d]).ToList(),
            picked.Select(q => (IReadOnlyCollection<int>)test.RelevantDocuments[q].Select(d => newPosition[d]).ToArray()).ToList());
    }
}
