using Microsoft.ML.Data;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Mining;
using MLNet.Contrastive.Transforms;

namespace Microsoft.ML;

/// <summary>Adds <c>ContrastiveEmbedding</c> to <c>mlContext.Transforms</c> and <c>MineHardNegatives</c> to <c>mlContext.Data</c>.</summary>
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

    /// <summary>
    /// Mines hard negatives for (anchor, positive) pairs with an embedding model: for each row, the candidate documents
    /// (the distinct positives, and <see cref="HardNegativeMiningOptions.Corpus"/>) closest to its anchor that are not
    /// its positive, not a positive of a row with the same anchor text or group, within the rank window and below the
    /// margins; the result has the rows that got them, with every column of <paramref name="data"/> and text columns
    /// <c>Negative1</c> .. <c>Negativek</c> that <c>ContrastiveEmbeddingOptions.NegativeColumnNames</c> takes.
    /// </summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The pairs; read once (it is cached, so the result gives the same rows to every cursor).</param>
    /// <param name="model">The model that scores the candidates (usually the one to be fine-tuned, off the shelf).</param>
    /// <param name="options">The columns, window, margins and count; <see langword="null"/> for the defaults.</param>
    /// <returns>The rows that got their negatives (rows for which fewer passed are left out: the log says how many).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="catalog"/>, <paramref name="data"/> or <paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is invalid or a column is missing or of the wrong type (named).</exception>
    /// <exception cref="OperationCanceledException"><see cref="HardNegativeMiningOptions.CancellationToken"/> was cancelled.</exception>
    public static IDataView MineHardNegatives(this DataOperationsCatalog catalog, IDataView data, EmbeddingModel model, HardNegativeMiningOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(model);
        return HardNegativeMining.Mine(catalog.GetEnvironment(), catalog.Cache(data), model, options ?? new HardNegativeMiningOptions());
    }

    /// <summary>Mines hard negatives with a fitted or loaded transformer's model (a <see cref="ContrastiveEmbeddingTransformer"/>,
    /// or a chain that holds one); see <see cref="MineHardNegatives(DataOperationsCatalog, IDataView, EmbeddingModel, HardNegativeMiningOptions?)"/>.</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">The pairs.</param>
    /// <param name="model">The transformer whose embedding model scores the candidates.</param>
    /// <param name="options">The columns, window, margins and count; <see langword="null"/> for the defaults.</param>
    /// <returns>The rows that got their negatives, with the negative columns.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="model"/> holds no <see cref="ContrastiveEmbeddingTransformer"/>, or an option or column is invalid.</exception>
    public static IDataView MineHardNegatives(this DataOperationsCatalog catalog, IDataView data, ITransformer model, HardNegativeMiningOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var transformer = model as ContrastiveEmbeddingTransformer
            ?? (model as IEnumerable<ITransformer>)?.OfType<ContrastiveEmbeddingTransformer>().FirstOrDefault()
            ?? throw new ArgumentException($"The model is a {model.GetType().Name} with no ContrastiveEmbeddingTransformer in it: give the transformer Fit or Model.Load returned, or an EmbeddingModel.", nameof(model));
        return MineHardNegatives(catalog, data, transformer.Model, options);
    }
}
