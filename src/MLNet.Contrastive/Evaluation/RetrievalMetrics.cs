namespace MLNet.Contrastive.Evaluation;

/// <summary>Retrieval quality averaged over queries (binary relevance, exact cosine search). Immutable.</summary>
/// <remarks>
/// For a query with relevant set R and ranked list r_1, r_2, … (ties broken by lower corpus index):
/// Recall@k = |R ∩ top k| / |R| (so it is below 1 when |R| &gt; k);
/// MRR@10 = 1 / rank of the first relevant document if it is within the top 10, else 0;
/// nDCG@10 = DCG@10 / IDCG@10 with DCG@10 = Σ over relevant r_i, i ≤ 10, of 1 / log2(i + 1) and IDCG@10 the DCG of an
/// ideal ranking (min(|R|, 10) relevant documents first). Every metric is the mean over queries.
/// </remarks>
public sealed class RetrievalMetrics : IReportableMetrics
{
    /// <summary>Creates a result from already averaged values.</summary>
    /// <param name="recallAt1">Mean Recall@1.</param>
    /// <param name="recallAt5">Mean Recall@5.</param>
    /// <param name="recallAt10">Mean Recall@10.</param>
    /// <param name="mrrAt10">Mean reciprocal rank, cut at 10.</param>
    /// <param name="ndcgAt10">Mean nDCG@10.</param>
    /// <param name="queryCount">How many queries were evaluated.</param>
    /// <param name="corpusSize">How many documents were searched.</param>
    /// <exception cref="ArgumentOutOfRangeException">A metric is outside [0, 1] or a count is negative.</exception>
    public RetrievalMetrics(double recallAt1, double recallAt5, double recallAt10, double mrrAt10, double ndcgAt10,
        int queryCount, int corpusSize)
    {
        RecallAt1 = CheckUnit(recallAt1, nameof(recallAt1));
        RecallAt5 = CheckUnit(recallAt5, nameof(recallAt5));
        RecallAt10 = CheckUnit(recallAt10, nameof(recallAt10));
        MrrAt10 = CheckUnit(mrrAt10, nameof(mrrAt10));
        NdcgAt10 = CheckUnit(ndcgAt10, nameof(ndcgAt10));
        ArgumentOutOfRangeException.ThrowIfNegative(queryCount);
        ArgumentOutOfRangeException.ThrowIfNegative(corpusSize);
        QueryCount = queryCount;
        CorpusSize = corpusSize;
    }

    /// <summary>Gets the mean Recall@1.</summary>
    public double RecallAt1 { get; }

    /// <summary>Gets the mean Recall@5.</summary>
    public double RecallAt5 { get; }

    /// <summary>Gets the mean Recall@10.</summary>
    public double RecallAt10 { get; }

    /// <summary>Gets the mean reciprocal rank of the first relevant document, 0 when it is not in the top 10.</summary>
    public double MrrAt10 { get; }

    /// <summary>Gets the mean nDCG@10 with binary relevance.</summary>
    public double NdcgAt10 { get; }

    /// <summary>Gets the number of evaluated queries.</summary>
    public int QueryCount { get; }

    /// <summary>Gets the number of searched documents.</summary>
    public int CorpusSize { get; }

    /// <inheritdoc/>
    public IReadOnlyList<MetricValue> Values =>
    [
        new("Recall@1", RecallAt1), new("Recall@5", RecallAt5), new("Recall@10", RecallAt10),
        new("MRR@10", MrrAt10), new("nDCG@10", NdcgAt10),
        new("Queries", QueryCount, IsCount: true), new("Documents", CorpusSize, IsCount: true),
    ];

    /// <summary>Returns the metrics as a small aligned text table.</summary>
    /// <returns>The table produced by <see cref="MetricsReport.ToText(IReportableMetrics)"/>.</returns>
    public override string ToString() => MetricsReport.ToText(this);

    private static double CheckUnit(double value, string paramName)
    {
        if (!(value >= 0 && value <= 1))
        {
            throw new ArgumentOutOfRangeException(paramName, value, "Expected a value in [0, 1].");
        }

        return value;
    }
}
