namespace MLNet.Contrastive.Evaluation;

/// <summary>Agreement between the cosine similarity of sentence-pair embeddings and gold similarity scores. Immutable.</summary>
/// <remarks>Spearman is the Pearson correlation of the ranks, tied values getting the average of their ranks.
/// A correlation is <see cref="double.NaN"/> when the cosine similarities are all equal (it is undefined then).</remarks>
public sealed class SimilarityMetrics : IReportableMetrics
{
    /// <summary>Creates a result.</summary>
    /// <param name="spearman">Spearman rank correlation, in [-1, 1] or NaN.</param>
    /// <param name="pearson">Pearson correlation, in [-1, 1] or NaN.</param>
    /// <param name="pairCount">How many sentence pairs were evaluated.</param>
    /// <exception cref="ArgumentOutOfRangeException">A correlation is outside [-1, 1] (and not NaN) or the count is negative.</exception>
    public SimilarityMetrics(double spearman, double pearson, int pairCount)
    {
        Spearman = CheckCorrelation(spearman, nameof(spearman));
        Pearson = CheckCorrelation(pearson, nameof(pearson));
        ArgumentOutOfRangeException.ThrowIfNegative(pairCount);
        PairCount = pairCount;
    }

    /// <summary>Gets the Spearman rank correlation between cosine similarities and gold scores.</summary>
    public double Spearman { get; }

    /// <summary>Gets the Pearson correlation between cosine similarities and gold scores.</summary>
    public double Pearson { get; }

    /// <summary>Gets the number of evaluated pairs.</summary>
    public int PairCount { get; }

    /// <inheritdoc/>
    public IReadOnlyList<MetricValue> Values =>
        [new("Spearman", Spearman), new("Pearson", Pearson), new("Pairs", PairCount, IsCount: true)];

    /// <summary>Returns the metrics as a small aligned text table.</summary>
    /// <returns>The table produced by <see cref="MetricsReport.ToText(IReportableMetrics)"/>.</returns>
    public override string ToString() => MetricsReport.ToText(this);

    private static double CheckCorrelation(double value, string paramName)
    {
        // A small excess over 1 can come from rounding; anything else is a caller error.
        if (!double.IsNaN(value) && !(value >= -1 - 1e-9 && value <= 1 + 1e-9))
        {
            throw new ArgumentOutOfRangeException(paramName, value, "Expected a correlation in [-1, 1] or NaN.");
        }

        return double.IsNaN(value) ? value : Math.Clamp(value, -1, 1);
    }
}
