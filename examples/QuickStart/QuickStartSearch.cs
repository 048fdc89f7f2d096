using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Contrastive.Evaluation;

namespace QuickStart;

/// <summary>Embeds texts with a fitted or loaded ML.NET model and answers searches over a corpus with exact cosine top-k.</summary>
public static class QuickStartSearch
{
    /// <summary>Embeds texts through the model's <see cref="QuickStartTraining.EmbeddingColumn"/> column, in order.</summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="model">A model that maps the text column <see cref="QuickStartTraining.TextColumn"/> to the embedding column.</param>
    /// <param name="texts">The texts.</param>
    /// <returns>One vector per text.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IReadOnlyList<float[]> Embed(MLContext mlContext, ITransformer model, IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(texts);
        var data = mlContext.Data.LoadFromEnumerable(texts.Select(t => new TrainingRow { Anchor = t }));
        return model.Transform(data).GetColumn<float[]>(QuickStartTraining.EmbeddingColumn).ToList();
    }

    /// <summary>Answers each search with the <paramref name="k"/> corpus documents most similar to it.</summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="model">The embedding model.</param>
    /// <param name="corpus">The documents searched.</param>
    /// <param name="searches">The search texts.</param>
    /// <param name="k">How many documents per search.</param>
    /// <returns>One answer per search, in order.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is not positive.</exception>
    public static IReadOnlyList<SearchAnswer> Answer(MLContext mlContext, ITransformer model, IReadOnlyList<string> corpus,
        IReadOnlyList<string> searches, int k)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentNullException.ThrowIfNull(searches);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        var index = new CosineIndex(Embed(mlContext, model, corpus));
        var hits = index.Search(Embed(mlContext, model, searches), k);
        return searches.Select((query, q) => new SearchAnswer(query,
            hits[q].Select(h => (corpus[h.Index], h.Score)).ToList())).ToList();
    }
}
