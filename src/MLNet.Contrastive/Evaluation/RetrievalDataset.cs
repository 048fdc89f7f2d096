namespace MLNet.Contrastive.Evaluation;

/// <summary>A text retrieval test set: queries, a corpus and, for each query, the corpus positions relevant to it. Immutable.</summary>
public sealed class RetrievalDataset
{
    /// <summary>Creates a data set, checking that every query has at least one valid relevant document.</summary>
    /// <param name="queries">The query texts.</param>
    /// <param name="corpus">The document texts.</param>
    /// <param name="relevantDocuments">For each query (same order), the positions in <paramref name="corpus"/> relevant to it.</param>
    /// <exception cref="ArgumentNullException">An argument, a text or a judgement list is null.</exception>
    /// <exception cref="ArgumentException">The judgements do not match the queries in count, a query has no relevant
    /// document, or a position is outside the corpus.</exception>
    public RetrievalDataset(IReadOnlyList<string> queries, IReadOnlyList<string> corpus,
        IReadOnlyList<IReadOnlyCollection<int>> relevantDocuments)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentNullException.ThrowIfNull(relevantDocuments);
        if (queries.Any(q => q is null))
        {
            throw new ArgumentNullException(nameof(queries), "A query text is null.");
        }

        if (corpus.Any(d => d is null))
        {
            throw new ArgumentNullException(nameof(corpus), "A document text is null.");
        }

        Queries = queries.ToArray();
        Corpus = corpus.ToArray();
        RelevantDocuments = RetrievalEvaluator.CheckJudgements(relevantDocuments, Queries.Count, Corpus.Count, Queries);
    }

    /// <summary>Gets the query texts.</summary>
    public IReadOnlyList<string> Queries { get; }

    /// <summary>Gets the document texts.</summary>
    public IReadOnlyList<string> Corpus { get; }

    /// <summary>Gets, for each query, the sorted distinct corpus positions relevant to it.</summary>
    public IReadOnlyList<IReadOnlyList<int>> RelevantDocuments { get; }
}
