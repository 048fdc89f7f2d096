using Microsoft.ML.Runtime;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Evaluation;
using MLNet.Contrastive.Losses;
using MLNet.Contrastive.Text;
using MLNet.Contrastive.Training;
using MLNet.Contrastive.Training.Distributed;

namespace MLNet.Contrastive.Transforms;

/// <summary>
/// The bridge from <see cref="ContrastiveEmbeddingOptions"/> to the TorchSharp core: builds the tokenizer and the
/// model, tokenizes the data view, and runs <see cref="ContrastiveTrainer"/> (gradient cache, AdamW, schedule).
/// </summary>
internal static class EmbeddingTraining
{
    /// <summary>The embedding size of a model trained from scratch when none is chosen.</summary>
    internal const int DefaultEmbeddingDimension = 128;

    /// <summary>
    /// Builds the tokenizer the options ask for, and for a pretrained start the model itself (its tokenizer is the
    /// checkpoint's): a user's tokenizer, else what <see cref="EmbeddingModel.CreateTokenizer"/> builds.
    /// </summary>
    internal static (TextTokenizer Tokenizer, EmbeddingModel? Pretrained) Prepare(ContrastiveEmbeddingOptions options, int seed)
    {
        if (PretrainedPath(options) is not null)
        {
            var model = EmbeddingModel.Create(ModelOptions(options, seed));
            return (model.Tokenizer, model);
        }

        return options.Tokenizer is { } tokenizer
            // A user's tokenizer: the embedding table is always compacted to the ids seen in training, so its size is not needed.
            ? (TextTokenizer.FromTokenizer(tokenizer, int.MaxValue, options.MaxTokens ?? EmbeddingModel.DefaultMaxTokens), null)
            : (EmbeddingModel.CreateTokenizer(ModelOptions(options, seed: null)), null);
    }

    /// <summary>Builds the model, trains it on <paramref name="training"/>, and returns it with a summary. No model leaks on failure.</summary>
    internal static (EmbeddingModel Model, TrainingSummary Summary) Train(
        IChannel channel,
        TextTokenizer tokenizer,
        EmbeddingModel? pretrained,
        TokenizedTrainingData training,
        TokenizedTrainingData? validation,
        ContrastiveEmbeddingOptions options,
        int seed,
        Action<ContrastiveTrainingProgress> report,
        Action checkAlive,
        CancellationToken cancellation)
    {
        // Before anything is built: asking for MPI where none loads fails here, with what to install.
        var communicator = options.Epochs == 0 ? null : DistributedSetup.Resolve(options.Distributed);
        TorchRuntime.EnsureLoaded();
        if (options.IntraOpThreads is { } threads)
        {
            // Before the model is built: initialisation and the vocabulary-compacted table run in this pool too.
            TorchRuntime.SetIntraOpThreads(threads);
        }

        var model = pretrained ?? CreateModel(tokenizer, training, options, seed);
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
                LearningRate = OptionsValidator.LearningRate(options),
                WeightDecay = options.WeightDecay,
                FreezeEmbeddings = options.FreezeEmbeddings,
                FrozenLayers = options.FrozenLayers,
                WarmupRatio = options.WarmupRatio,
                Seed = seed,
                PaddingId = model.PaddingId,
                IntraOpThreads = options.IntraOpThreads,
                TrimNativeHeap = options.TrimNativeHeap,
                Validation = validation is null ? null : _ => ValidationRecallAt1(model, validation, channel),
                Communicator = communicator,
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
        // A checkpoint is a BERT Transformer whatever EncoderKind says (EncoderKind chooses the architecture from scratch).
        Encoder = PretrainedPath(options) is null ? options.EncoderKind : EncoderKind.Transformer,
        HiddenSize = options.Width,
        LayerCount = options.Layers,
        HeadCount = options.Heads,
        FeedForwardSize = options.FeedForwardWidth,
        Dropout = options.Dropout,
        // From scratch a size other than Width adds a projection; a pretrained model keeps its width unless another is asked for.
        OutputDimension = PretrainedPath(options) is not null ? options.EmbeddingDimension
            : (options.EmbeddingDimension ?? DefaultEmbeddingDimension) == options.Width ? null : options.EmbeddingDimension ?? DefaultEmbeddingDimension,
        Pooling = options.Pooling,
        Normalize = options.Normalize,
        CompactVocabulary = options.CompactVocabulary,
        MaxTokens = options.MaxTokens,
        VocabularyPath = options.VocabularyPath,
        PretrainedPath = PretrainedPath(options),
        Device = options.Device,
        Seed = seed,
    };

    private static string? PretrainedPath(ContrastiveEmbeddingOptions options) => options.PretrainedModelPath ?? options.PretrainedCheckpointDirectory;

    private static EmbeddingModel CreateModel(TextTokenizer tokenizer, TokenizedTrainingData training, ContrastiveEmbeddingOptions options, int seed)
    {
        var modelOptions = ModelOptions(options, seed);
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
