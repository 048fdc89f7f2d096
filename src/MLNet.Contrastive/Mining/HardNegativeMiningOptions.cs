using Microsoft.ML;

namespace MLNet.Contrastive.Mining;

/// <summary>
/// Options of <c>mlContext.Data.MineHardNegatives</c>: which columns hold the pairs, where the candidates come from,
/// and which candidates may become hard negatives (docs/hard-negatives.md).
/// </summary>
/// <remarks>
/// The defaults follow sentence-transformers' <c>mine_hard_negatives</c> as its documentation recommends it
/// (NV-Retriever's "TopK-PercPos": a negative must score below 95% of the positive's similarity, relative margin 0.05),
/// with one negative per anchor taken from the 50 best candidates.
/// </remarks>
public sealed class HardNegativeMiningOptions
{
    /// <summary>Gets or sets the anchor (query) text column. Default is <c>"Anchor"</c>.</summary>
    public string AnchorColumnName { get; set; } = "Anchor";

    /// <summary>Gets or sets the positive (document) text column; its distinct texts are candidates. Default is <c>"Positive"</c>.</summary>
    public string PositiveColumnName { get; set; } = "Positive";

    /// <summary>Gets or sets an optional group column (text or integer, as <c>ContrastiveEmbeddingOptions.GroupColumnName</c>):
    /// the positives of rows of the same group are never a row's negatives. Default is <see langword="null"/>.</summary>
    public string? GroupColumnName { get; set; }

    /// <summary>Gets or sets more candidate documents, besides the positives: a data view whose
    /// <see cref="CorpusColumnName"/> holds texts. Default is <see langword="null"/>: the positives only.</summary>
    public IDataView? Corpus { get; set; }

    /// <summary>Gets or sets the text column of <see cref="Corpus"/>. Default is <c>"Text"</c>.</summary>
    public string CorpusColumnName { get; set; } = "Text";

    /// <summary>Gets or sets how many hard negatives each row gets (columns <see cref="NegativeColumnPrefix"/>1 .. k). Rows
    /// for which fewer candidates pass are left out of the result. Default is 1.</summary>
    public int NegativesPerAnchor { get; set; } = 1;

    /// <summary>Gets or sets how many of the best candidates are skipped (sentence-transformers' <c>range_min</c>): the very
    /// closest documents are the likeliest unlabelled positives. Default is 0.</summary>
    public int SkipTopRanks { get; set; }

    /// <summary>Gets or sets the rank below which candidates are not considered (<c>range_max</c>): negatives come from ranks
    /// <see cref="SkipTopRanks"/> to <c>MaxRank - 1</c> of the candidates that are not excluded. Default is 50.</summary>
    public int MaxRank { get; set; } = 50;

    /// <summary>Gets or sets an absolute margin: a negative's cosine similarity to the anchor must be at most the positive's
    /// minus this. Default is <see langword="null"/> (none).</summary>
    public double? AbsoluteMargin { get; set; }

    /// <summary>Gets or sets a relative margin, in [0, 1): a negative's similarity must be at most <c>(1 - margin)</c> times the
    /// positive's. Default is 0.05 (95% of the positive, NV-Retriever's TopK-PercPos); <see langword="null"/> for none.</summary>
    public double? RelativeMargin { get; set; } = 0.05;

    /// <summary>Gets or sets a value indicating whether the negatives are drawn at random (seeded by <see cref="Seed"/>) among
    /// the candidates of the window that pass the margins, instead of the best of them. Default is <see langword="false"/>.</summary>
    public bool SampleWithinWindow { get; set; }

    /// <summary>Gets or sets the seed of <see cref="SampleWithinWindow"/>. Default is 0.</summary>
    public int Seed { get; set; }

    /// <summary>Gets or sets the prefix of the negative columns added: <c>Negative1</c>, <c>Negative2</c>, ... by default,
    /// the names <c>ContrastiveEmbeddingOptions.NegativeColumnNames</c> then takes.</summary>
    public string NegativeColumnPrefix { get; set; } = "Negative";

    /// <summary>Gets or sets a text put before each anchor when it is embedded (a model trained with
    /// <c>QueryPrefix</c>). Default is <see langword="null"/>.</summary>
    public string? QueryPrefix { get; set; }

    /// <summary>Gets or sets a text put before each candidate document when it is embedded. Default is <see langword="null"/>.</summary>
    public string? DocumentPrefix { get; set; }

    /// <summary>Gets or sets how many texts one forward pass embeds. Default is 64.</summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>Gets or sets a receiver of progress (texts embedded, rows searched). Default is <see langword="null"/>.</summary>
    public IProgress<HardNegativeMiningProgress>? Progress { get; set; }

    /// <summary>Gets or sets a token that stops the mining between batches (<see cref="OperationCanceledException"/>).</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>Throws naming the first invalid option.</summary>
    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(AnchorColumnName, nameof(AnchorColumnName));
        ArgumentException.ThrowIfNullOrWhiteSpace(PositiveColumnName, nameof(PositiveColumnName));
        ArgumentException.ThrowIfNullOrWhiteSpace(NegativeColumnPrefix, nameof(NegativeColumnPrefix));
        if (Corpus is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(CorpusColumnName, nameof(CorpusColumnName));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(NegativesPerAnchor, nameof(NegativesPerAnchor));
        ArgumentOutOfRangeException.ThrowIfNegative(SkipTopRanks, nameof(SkipTopRanks));
        if (MaxRank - SkipTopRanks < NegativesPerAnchor)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRank), MaxRank,
                $"The window of ranks {SkipTopRanks} to {MaxRank - 1} (SkipTopRanks to MaxRank - 1) holds {Math.Max(0, MaxRank - SkipTopRanks)} candidates, fewer than NegativesPerAnchor ({NegativesPerAnchor}).");
        }

        if (AbsoluteMargin is { } absolute && !(absolute >= 0 && double.IsFinite(absolute)))
        {
            throw new ArgumentOutOfRangeException(nameof(AbsoluteMargin), absolute, "Expected a finite margin >= 0, or null for none.");
        }

        if (RelativeMargin is { } relative && !(relative >= 0 && relative < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(RelativeMargin), relative, "Expected a margin in [0, 1), or null for none.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BatchSize, nameof(BatchSize));
    }

    /// <summary>The names of the negative columns added.</summary>
    internal string[] NegativeColumnNames() => Enumerable.Range(1, NegativesPerAnchor).Select(i => NegativeColumnPrefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
}
