using Microsoft.ML.Runtime;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Evaluation;
using MLNet.Contrastive.Losses;
using MLNet.Contrastive.Text;
using MLNet.Contrastive.Training;

namespace MLNet.Contrastive.MLNet;

/// <summary>
/// The bridge from <see cref="ContrastiveEmbeddingOptions"/> to the TorchSharp core: builds the tokenizer and the
/// model, tokenizes the data view, and runs <see cref="ContrastiveTrainer"/> (gradient cache, AdamW, schedule).
/// </summary>
internal static class EmbeddingTraining
{
    /// <summary>Builds the tokenizer the options ask for: a user's tokenizer, else what <see cref="EmbeddingModel.CreateTokenizer"/> builds.</summary>
    internal static TextTokenizer CreateTokenizer(ContrastiveEmbeddingOptions options)
    {
        if (options.PretrainedCheckpointDirectory is { } directory)
        {
            // MaxTokens must fit the checkpoint's position table (the same rule as for a new Transformer).
            var config = BertCheckpoint.ReadConfig(Path.Combine(directory, BertCheckpoint.ConfigFileName));
            AttentionBudget.CheckMaxTokens(options.MaxTokens, config.MaxLength, config.HeadCount, nameof(options.MaxTokens));
        }

        return options.Tokenizer is { } tokenizer && options.PretrainedCheckpointDirectory is null
            // A user's tokenizer: the embedding table is always compacted to the ids seen in training, so its size is not needed.
            ? TextTokenizer.FromTokenizer(tokenizer, int.MaxValue, options.MaxTokens)
            : EmbeddingModel.CreateTokenizer(ModelOptions(options, seed: null));
    }

    /// <summary>Builds the model, trains it on <paramref name="training"/>, and returns it with a summary. No model leaks on failure.</summary>
    internal static (EmbeddingModel Model, TrainingSummary Summary) Train(
        IChannel channel,
        TextTokenizer tokenizer,
        TokenizedTrainingData training,
        TokenizedTrainingData? validation,
        ContrastiveEmbeddingOptions options,
        int seed,
        Action<ContrastiveTrainingProgress> report,
        Action checkAlive,
        CancellationToken cancellation)
    {
        TorchRuntime.EnsureLoaded();
        var model = CreateModel(tokenizer, training, options, seed);
        try
        {
            var examples = model.VocabularyMap is { } map ? training.Examples.Select(e => MapExample(e, map)).ToArray() : training.Examples;
            var validationScores = new List<double>();
            var trainerOptions = new ContrastiveTrainerOptions
            {
                // Epochs == 0 trains nothing (see ContrastiveEmbeddingOptions.Epochs); the trainer is then not built.
                BatchSize = Math.Min(options.BatchSize, examples.Count),
                QueryChunkSize = options.ChunkSize,
                DocumentChunkSize = options.ChunkSize,
                Epochs = options.Epochs,
                LearningRate = options.LearningRate,
                WarmupRatio = options.WarmupRatio,
                Seed = seed,
                PaddingId = model.PaddingId,
                Validation = validation is null ? null : _ => ValidationRecallAt1(model, validation, channel),
            };
            // The temperature is a module of its own (a parameter for a learnable one): disposed when training ends.
            using var temperature = options.LearnableTemperature ? Temperature.Learnable(options.Temperature) : Temperature.Fixed(options.Temperature);
            var loss = ContrastiveLossFactory.Create(options.Loss, temperature, normalize: true, rowChunkSize: 256);
            var progress = new SynchronousProgress<TrainingProgress>(p =>
            {
                report(new ContrastiveTrainingProgress(p.Epoch + 1, p.Step, p.TotalSteps, (float)p.Loss, p.ExamplesPerSecond, p.EstimatedRemaining));
                checkAlive();
            });
            checkAlive();
            var result = options.Epochs == 0
                ? new TrainingResult(0, Array.Empty<double>(), Array.Empty<double>(), TimeSpan.Zero)
                : new ContrastiveTrainer(model.Encoder, null, loss, trainerOptions).Train(examples, progress, cancellation);
            var summary = new TrainingSummary(examples.Count, training.TruncatedTexts, result.Steps, result.Losses, result.ValidationScores, result.Elapsed);
            return (model, summary);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static EmbeddingModelOptions ModelOptions(ContrastiveEmbeddingOptions options, long? seed) => new()
    {
        Encoder = options.EncoderKind,
        HiddenSize = options.Width,
        LayerCount = options.Layers,
        HeadCount = options.Heads,
        FeedForwardSize = options.FeedForwardWidth,
        Dropout = options.Dropout,
        OutputDimension = options.EmbeddingDimension == options.Width ? null : options.EmbeddingDimension,
        MaxTokens = options.MaxTokens,
        VocabularyPath = options.VocabularyPath,
        PretrainedPath = options.PretrainedCheckpointDirectory,
        Device = options.Device,
        Seed = seed,
    };

    private static EmbeddingModel CreateModel(TextTokenizer tokenizer, TokenizedTrainingData training, ContrastiveEmbeddingOptions options, int seed)
    {
        var modelOptions = ModelOptions(options, seed);
        if (options.PretrainedCheckpointDirectory is { } directory)
        {
            // Fine-tune the checkpoint's pooled output; a projection only where another size is asked for.
            var hidden = BertCheckpoint.ReadConfig(Path.Combine(directory, BertCheckpoint.ConfigFileName)).HiddenSize;
            modelOptions.OutputDimension = options.EmbeddingDimension == hidden ? null : options.EmbeddingDimension;
            modelOptions.Pooling = PoolingMode.Mean;
            return EmbeddingModel.Create(modelOptions);
        }

        var texts = training.Examples.SelectMany(e => e.Negatives.Prepend(e.Positive).Prepend(e.Query));
        return EmbeddingModel.Create(modelOptions, tokenizer, texts);
    }

    private static ContrastiveExample MapExample(ContrastiveExample example, VocabularyMap map) =>
        new(map.Map(example.Query), map.Map(example.Positive), example.Negatives.Select(map.Map).ToArray(), example.Group);

    // Recall@1 of anchors against all validation positives (exact cosine search), with the final or epoch-end weights.
    private static double ValidationRecallAt1(EmbeddingModel model, TokenizedTrainingData validation, IChannel channel)
    {
        var map = model.VocabularyMap;
        var anchors = model.EncodeTokenized(validation.Examples.Select(e => map?.Map(e.Query) ?? e.Query).ToArray());
        var positives = model.EncodeTokenized(validation.Examples.Select(e => map?.Map(e.Positive) ?? e.Positive).ToArray());
        var ownPositive = Enumerable.Range(0, positives.Length).Select(i => (IReadOnlyCollection<int>)new[] { i }).ToArray();
        var recall = RetrievalEvaluator.Evaluate(anchors, positives, ownPositive).RecallAt1;
        channel.Info($"Validation recall@1: {recall:0.000} over {validation.Examples.Count} pairs.");
        return recall;
    }

    private sealed class SynchronousProgress<T>(Action<T> handler) : IProgress<T>
    {
        public void Report(T value) => handler(value);
    }
}
