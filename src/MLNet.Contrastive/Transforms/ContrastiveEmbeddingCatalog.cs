using Microsoft.ML.Data;
using MLNet.Contrastive.Transforms;

namespace Microsoft.ML;

/// <summary>Adds <c>ContrastiveEmbedding</c> to <c>mlContext.Transforms</c>.</summary>
public static class ContrastiveEmbeddingCatalog
{
    /// <summary>
    /// Trains a text encoder contrastively on (anchor, positive) pairs and embeds the anchor column into
    /// <paramref name="outputColumnName"/>, a <c>Vector&lt;Single, <paramref name="embeddingDimension"/>&gt;</c>.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The embedding column to add.</param>
    /// <param name="anchorColumnName">The anchor text column (also the column embedded at transform time).</param>
    /// <param name="positiveColumnName">The positive text column.</param>
    /// <param name="embeddingDimension">The size of the embeddings.</param>
    /// <returns>The estimator.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="catalog"/> is null.</exception>
    /// <exception cref="ArgumentException">A column name is null or empty, or <paramref name="embeddingDimension"/> is not positive.</exception>
    /// <example>See examples/ in the repository for a runnable project.</example>
    public static ContrastiveEmbeddingEstimator ContrastiveEmbedding(
        this TransformsCatalog catalog,
        string outputColumnName,
        string anchorColumnName,
        string positiveColumnName,
        int embeddingDimension = 128)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        return ContrastiveEmbedding(catalog, new ContrastiveEmbeddingOptions
        {
            AnchorColumnName = anchorColumnName,
            PositiveColumnName = positiveColumnName,
            EmbeddingDimension = embeddingDimension,
            Columns = new[] { new InputOutputColumnPair(outputColumnName, anchorColumnName) },
        });
    }

    /// <summary>Trains a text encoder contrastively with the given options.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">The options; validated and copied now, so later changes have no effect.</param>
    /// <returns>The estimator.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="catalog"/> or <paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is invalid (the exception's ParamName names it).</exception>
    public static ContrastiveEmbeddingEstimator ContrastiveEmbedding(this TransformsCatalog catalog, ContrastiveEmbeddingOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new ContrastiveEmbeddingEstimator(catalog.GetEnvironment(), options);
    }
}
