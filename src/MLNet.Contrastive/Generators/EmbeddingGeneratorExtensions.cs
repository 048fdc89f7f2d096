using Microsoft.ML;
using MLNet.Contrastive.Generators;
using MLNet.Contrastive.Transforms;

namespace Microsoft.Extensions.AI;

/// <summary>Exposes a fitted or loaded <see cref="ContrastiveEmbeddingTransformer"/> as Microsoft.Extensions.AI's
/// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> (see docs/embedding-generator.md).</summary>
public static class EmbeddingGeneratorExtensions
{
    /// <summary>Returns an embedding generator that encodes texts exactly as <see cref="ContrastiveEmbeddingTransformer.Transform"/> does.</summary>
    /// <param name="transformer">The transformer (from <c>Fit</c>, or the one inside a loaded model).</param>
    /// <param name="modelId">The model id reported in the metadata and on each embedding. Default is
    /// <see langword="null"/>: <c>contrastive-&lt;encoder&gt;-&lt;dimension&gt;</c>, e.g. <c>contrastive-static-128</c>.</param>
    /// <param name="disposeTransformer">Whether disposing the generator disposes the transformer (useful when a DI
    /// container owns the generator). Default is <see langword="false"/>.</param>
    /// <param name="outputColumnName">The output column whose embedding the generator gives: texts get that column's
    /// prefix (the query or document prefix of a pretrained model, see docs/pretrained.md). Default is
    /// <see langword="null"/>: the first column pair.</param>
    /// <returns>The generator. Texts are encoded in blocks of the transformer's read-ahead size (1024), sorted by length
    /// and batched as Transform's cursor does, under the transformer's lock: the same texts in the same order give
    /// Transform's vectors bit for bit, and the generator may be used from several threads along with the transformer.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="transformer"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="modelId"/> is empty or white space, or
    /// <paramref name="outputColumnName"/> is not one of the transformer's output columns.</exception>
    public static TextEmbeddingGenerator AsIEmbeddingGenerator(
        this ContrastiveEmbeddingTransformer transformer, string? modelId = null, bool disposeTransformer = false, string? outputColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(transformer);
        var column = 0;
        if (outputColumnName is not null)
        {
            column = transformer.ColumnPairs.Select(p => p.OutputColumnName).ToList().IndexOf(outputColumnName);
            if (column < 0)
            {
                throw new ArgumentException(
                    $"The transformer has no output column '{outputColumnName}'; its columns are {string.Join(", ", transformer.ColumnPairs.Select(p => $"'{p.OutputColumnName}'"))}.",
                    nameof(outputColumnName));
            }
        }

        // A disposed transformer is reported by GenerateAsync (the check happens under its lock, on each block).
        return new TextEmbeddingGenerator(
            (IReadOnlyList<string> texts, CancellationToken cancellationToken, out long tokenCount) =>
                transformer.EncodeCountingTokens(texts, column, cancellationToken, out tokenCount),
            transformer.Dimension,
            transformer.ReadAheadRows,
            modelId ?? TextEmbeddingGenerator.DefaultModelId(transformer.Model),
            transformer,
            disposeTransformer ? transformer.Dispose : null);
    }

    /// <summary>Returns an embedding generator over the <see cref="ContrastiveEmbeddingTransformer"/> inside a model, such as
    /// the one <c>mlContext.Model.Load</c> returns (a transformer chain); the chain's other transformers are not run.</summary>
    /// <param name="model">The model: a <see cref="ContrastiveEmbeddingTransformer"/> or a chain holding exactly one.</param>
    /// <param name="modelId">The model id; see <see cref="AsIEmbeddingGenerator(ContrastiveEmbeddingTransformer, string?, bool, string?)"/>.</param>
    /// <param name="disposeTransformer">Whether disposing the generator disposes the transformer. Default is <see langword="false"/>.</param>
    /// <returns>The generator.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentException">The model holds no contrastive embedding transformer, or more than one.</exception>
    /// <param name="outputColumnName">The output column; see <see cref="AsIEmbeddingGenerator(ContrastiveEmbeddingTransformer, string?, bool, string?)"/>.</param>
    public static TextEmbeddingGenerator AsIEmbeddingGenerator(this ITransformer model, string? modelId = null, bool disposeTransformer = false, string? outputColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var found = Flatten(model).OfType<ContrastiveEmbeddingTransformer>().ToArray();
        return found.Length == 1
            ? found[0].AsIEmbeddingGenerator(modelId, disposeTransformer, outputColumnName)
            : throw new ArgumentException(
                $"Expected a model holding one ContrastiveEmbeddingTransformer; this {model.GetType().Name} holds {found.Length}.", nameof(model));
    }

    private static IEnumerable<ITransformer> Flatten(ITransformer model) =>
        model is IEnumerable<ITransformer> chain ? chain.SelectMany(Flatten) : new[] { model };
}
