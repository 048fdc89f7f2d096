using MLNet.Contrastive.Evaluation;
using MLNet.Contrastive.Transforms;

namespace QuickStart;

/// <summary>What a QuickStart run produced: the metrics table's columns, the training summary, the saved model and the searches.</summary>
/// <param name="Data">The data used (task description, training pairs, test set).</param>
/// <param name="Untrained">Metrics of the same model before training (same architecture, vocabulary and seed; MiniLM off the shelf in the main job).</param>
/// <param name="TfIdf">Metrics of the TF-IDF baseline.</param>
/// <param name="Trained">Metrics of the trained model, loaded back from <paramref name="ModelPath"/>.</param>
/// <param name="RandomRecallAt10">Recall@10 a random ranking would have in expectation (10 / documents).</param>
/// <param name="Training">The estimator's training summary (steps, losses, time).</param>
/// <param name="ModelPath">The full path of the saved model.</param>
/// <param name="Searches">The answers to the searches, made with the loaded model.</param>
/// <param name="Timings">How long each phase took, in order.</param>
/// <param name="ModelCard">The model card read back from the saved model.</param>
/// <param name="FromScratchModel">In the main job, the metrics of the model trained from scratch; null with <c>--from-scratch</c>.</param>
/// <param name="UntrainedSimilarity">With <c>--sts</c>: the similarity scores of the model <paramref name="Untrained"/> describes; otherwise null.</param>
/// <param name="TrainedSimilarity">With <c>--sts</c>: the similarity scores of the trained model, loaded back from <paramref name="ModelPath"/>; otherwise null.</param>
/// <param name="SearchedCorpus">The documents the searches ran over.</param>
/// <param name="EverydaySearches">On the API-docs task: each model's ranks on <see cref="QuickStart.EverydaySearches.All"/> over
/// <paramref name="SearchedCorpus"/>, in report order (the trained or fine-tuned model last); null with <c>--data</c>.</param>
public sealed record QuickStartResult(
    QuickStartData Data,
    RetrievalMetrics Untrained,
    RetrievalMetrics TfIdf,
    RetrievalMetrics Trained,
    double RandomRecallAt10,
    TrainingSummary Training,
    string ModelPath,
    IReadOnlyList<SearchAnswer> Searches,
    IReadOnlyList<(string Phase, TimeSpan Elapsed)> Timings,
    ModelCard? ModelCard,
    RetrievalMetrics? FromScratchModel = null,
    SimilarityMetrics? UntrainedSimilarity = null,
    SimilarityMetrics? TrainedSimilarity = null,
    IReadOnlyList<string>? SearchedCorpus = null,
    IReadOnlyList<EverydaySearchScore>? EverydaySearches = null);
