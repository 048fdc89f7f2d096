using Microsoft.ML;

namespace MLNet.Contrastive.Evaluation;

/// <summary>
/// Evaluates embeddings on semantic textual similarity: the cosine similarity of each sentence pair is compared with
/// its gold score by Spearman (average ranks for ties) and Pearson correlation.
/// </summary>
public static class SimilarityEvaluator
{
    /// <summary>Evaluates the embeddings of sentence pairs against gold similarity scores.</summary>
    /// <param name="firstEmbeddings">Embedding of the first sentence of each pair.</param>
    /// <param name="secondEmbeddings">Embedding of the second sentence of each pair (same order and length).</param>
    /// <param name="goldScores">The gold similarity of each pair (any scale; only order and linearity matter).</param>
    /// <returns>The correlations; NaN when all cosine similarities are equal.</returns>
    /// <exception cref="ArgumentNullException">An argument or a vector is null.</exception>
    /// <exception cref="ArgumentException">Counts differ, there are fewer than 2 pairs, the gold scores are constant or
    /// not finite, or the two vectors of a pair differ in length.</exception>
    public static SimilarityMetrics Evaluate(IReadOnlyList<float[]> firstEmbeddings, IReadOnlyList<float[]> secondEmbeddings,
        IReadOnlyList<double> goldScores)
    {
        ArgumentNullException.ThrowIfNull(firstEmbeddings);
        ArgumentNullException.ThrowIfNull(secondEmbeddings);
        ArgumentNullException.ThrowIfNull(goldScores);
        if (secondEmbeddings.Count != firstEmbeddings.Count)
        {
            throw new ArgumentException($"Expected {firstEmbeddings.Count} second embeddings (one per pair), got {secondEmbeddings.Count}.", nameof(secondEmbeddings));
        }

        if (goldScores.Count != firstEmbeddings.Count)
        {
            throw new ArgumentException($"Expected {firstEmbeddings.Count} gold scores (one per pair), got {goldScores.Count}.", nameof(goldScores));
        }

        if (goldScores.Count >= 2 && goldScores.All(s => s == goldScores[0]))
        {
            throw new ArgumentException("The gold scores are all equal; a correlation with them is undefined.", nameof(goldScores));
        }

        var cosines = new double[firstEmbeddings.Count];
        for (int i = 0; i < cosines.Length; i++)
        {
            var a = firstEmbeddings[i] ?? throw new ArgumentNullException(nameof(firstEmbeddings), $"Embedding {i} is null.");
            var b = secondEmbeddings[i] ?? throw new ArgumentNullException(nameof(secondEmbeddings), $"Embedding {i} is null.");
            if (a.Length != b.Length)
            {
                throw new ArgumentException($"Pair {i}: embeddings have lengths {a.Length} and {b.Length}; expected equal lengths.", nameof(secondEmbeddings));
            }

            cosines[i] = CosineIndex.Cosine(a, b);
        }
        return new SimilarityMetrics(Correlation.Spearman(cosines, goldScores), Correlation.Pearson(cosines, goldScores), cosines.Length);
    }

    /// <summary>Evaluates two embedding columns and a gold score column of an ML.NET data view (one row per sentence pair).</summary>
    /// <param name="data">The pairs.</param>
    /// <param name="firstEmbeddingColumnName">Embedding of the first sentence; Vector&lt;Single&gt; of known size.</param>
    /// <param name="secondEmbeddingColumnName">Embedding of the second sentence; Vector&lt;Single&gt; of known size.</param>
    /// <param name="labelColumnName">Gold similarity; Single or Double.</param>
    /// <returns>The correlations.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentException">A column is missing or has the wrong type (the message names the column, the
    /// expected and the actual type), or the values are invalid as in the array overload.</exception>
    public static SimilarityMetrics Evaluate(IDataView data, string firstEmbeddingColumnName = "Embedding1",
        string secondEmbeddingColumnName = "Embedding2", string labelColumnName = "Label")
    {
        var first = DataViewColumnReader.ReadEmbeddings(data, firstEmbeddingColumnName, nameof(data));
        var second = DataViewColumnReader.ReadEmbeddings(data, secondEmbeddingColumnName, nameof(data));
        var gold = DataViewColumnReader.ReadNumbers(data, labelColumnName, nameof(data));
        return Evaluate(first, second, gold);
    }
}
