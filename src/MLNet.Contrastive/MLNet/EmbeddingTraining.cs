using Microsoft.ML.Runtime;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Losses;
using MLNet.Contrastive.Text;
using MLNet.Contrastive.Training;
using TorchSharp;

namespace MLNet.Contrastive.MLNet;

/// <summary>
/// The bridge from <see cref="ContrastiveEmbeddingOptions"/> to the TorchSharp core: builds the tokenizer and the
/// model, tokenizes the data view, and runs <see cref="ContrastiveTrainer"/> (gradient cache, AdamW, schedule).
/// </summary>
internal static class EmbeddingTraining
{
    /// <summary>Builds the tokenizer the options ask for.</summary>
    internal static TextTokenizer CreateTokenizer(ContrastiveEmbeddingOptions options)
    {
        if (options.PretrainedCheckpointDirectory is { } directory)
        {
            // The same tokenizer EmbeddingModel.Create builds for a checkpoint: its vocab.txt, at most its position count.
            var config = BertCheckpoint.ReadConfig(Path.Combine(directory, BertCheckpoint.ConfigFileName));
            var vocabulary = options.VocabularyPath ?? Path.Combine(directory, BertCheckpoint.VocabularyFileName);
            return TextTokenizer.FromBertVocabulary(vocabulary, lowerCase: true, Math.Min(options.MaxTokens, config.MaxLength));
        }

        if (options.VocabularyPath is { } path)
        {
            return TextTokenizer.FromBertVocabulary(path, lowerCase: true, options.MaxTokens);
        }

        // A user's tokenizer: the embedding table is always compacted to the ids seen in training, so its size is not needed.
        return options.Tokenizer is { } tokenizer
            ? TextTokenizer.FromTokenizer(tokenizer, int.MaxValue, options.MaxTokens)
            : TextTokenizer.Cl100kBase(options.MaxTokens);
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
            var temperature = options.LearnableTemperature ? Temperature.Learnable(options.Temperature) : Temperature.Fixed(options.Temperature);
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

    private static EmbeddingModel CreateModel(TextTokenizer tokenizer, TokenizedTrainingData training, ContrastiveEmbeddingOptions options, int seed)
    {
        var modelOptions = new EmbeddingModelOptions
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

    // Recall@1 of anchors against all validation positives, with the model in eval mode (the trainer sets it).
    private static double ValidationRecallAt1(EmbeddingModel model, TokenizedTrainingData validation, IChannel channel)
    {
        using var scope = torch.NewDisposeScope();
        var map = model.VocabularyMap;
        var anchors = Embed(model, validation.Examples.Select(e => map?.Map(e.Query) ?? e.Query).ToArray());
        var positives = Embed(model, validation.Examples.Select(e => map?.Map(e.Positive) ?? e.Positive).ToArray());
        var similarity = torch.nn.functional.normalize(anchors, dim: 1).matmul(torch.nn.functional.normalize(positives, dim: 1).t());
        var best = similarity.argmax(1);
        var hits = best.eq(torch.arange(best.shape[0], device: best.device)).sum().item<long>();
        var recall = (double)hits / validation.Examples.Count;
        channel.Info($"Validation recall@1: {recall:0.000} ({hits} of {validation.Examples.Count}).");
        return recall;
    }

    private static torch.Tensor Embed(EmbeddingModel model, int[][] sequences)
    {
        using var noGrad = torch.no_grad();
        var parts = new List<torch.Tensor>();
        for (var start = 0; start < sequences.Length; start += 64)
        {
            using var batch = model.Collate(sequences[start..Math.Min(sequences.Length, start + 64)]);
            parts.Add(model.Encoder.call(batch.InputIds, batch.AttentionMask));
        }

        return torch.cat(parts, 0);
    }

    private sealed class SynchronousProgress<T>(Action<T> handler) : IProgress<T>
    {
        public void Report(T value) => handler(value);
    }
}
