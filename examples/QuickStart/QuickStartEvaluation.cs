using Microsoft.ML;
using MLNet.Contrastive.Evaluation;

namespace QuickStart;

/// <summary>Scores the three contenders on the held-out test set with the same evaluator (exact cosine search).</summary>
public static class QuickStartEvaluation
{
    /// <summary>Fits ML.NET's TF-IDF featurizer on the test queries and documents and evaluates it.</summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="test">The test set.</param>
    /// <returns>The metrics.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static RetrievalMetrics TfIdf(MLContext mlContext, RetrievalDataset test)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(test);
        var baseline = TfIdfBaseline.Fit(mlContext, test.Corpus.Concat(test.Queries));
        return RetrievalEvaluator.Evaluate(test, baseline.EmbedSparse);
    }

    /// <summary>Evaluates a fitted or loaded ML.NET embedding model.</summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="model">The model (text column <see cref="QuickStartTraining.TextColumn"/> to <see cref="QuickStartTraining.EmbeddingColumn"/>).</param>
    /// <param name="test">The test set.</param>
    /// <returns>The metrics.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static RetrievalMetrics Trained(MLContext mlContext, ITransformer model, RetrievalDataset test)
    {
        ArgumentNullException.ThrowIfNull(test);
        return RetrievalEvaluator.Evaluate(test, texts => QuickStartSearch.Embed(mlContext, model, texts));
    }
}
