using System.Globalization;
using ExampleData;
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

    /// <summary>Scores a fitted or loaded ML.NET embedding model on sentence pairs with gold similarities (STS-B).</summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="model">The model (text column <see cref="QuickStartTraining.TextColumn"/> to <see cref="QuickStartTraining.EmbeddingColumn"/>).</param>
    /// <param name="pairs">The pairs.</param>
    /// <returns>The correlations of the pairs' cosine similarities with the gold scores.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static SimilarityMetrics Similarity(MLContext mlContext, ITransformer model, IReadOnlyList<ScoredPair> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var firsts = QuickStartSearch.Embed(mlContext, model, pairs.Select(p => p.First).ToList());
        var seconds = QuickStartSearch.Embed(mlContext, model, pairs.Select(p => p.Second).ToList());
        return SimilarityEvaluator.Evaluate(firsts, seconds, pairs.Select(p => p.Score).ToList());
    }

    /// <summary>The report line of the similarity scores: the baseline beside the trained model.</summary>
    internal static string SimilarityLine(string path, int count, string baselineName, SimilarityMetrics baseline, string trainedName, SimilarityMetrics trained) =>
        string.Create(CultureInfo.InvariantCulture,
            $"  STS ({Path.GetFileName(path)}, {count} pairs), Spearman: {baselineName} {baseline.Spearman:0.0000}, {trainedName} {trained.Spearman:0.0000}");
}
