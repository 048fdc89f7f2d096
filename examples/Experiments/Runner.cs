using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Losses;
using MLNet.Contrastive.Transforms;

namespace MLNet.Contrastive.Experiments;

/// <summary>One training run's settings: a model from scratch (the static encoder unless <paramref name="Encoder"/> says
/// otherwise) or, with <paramref name="Pretrained"/>, all-MiniLM-L6-v2 fine-tuned (<see cref="Runner.PretrainedDescription"/>).</summary>
internal sealed record RunSpec(string Task, LossKind Loss, int BatchSize, int Seed, int Epochs, bool HardNegatives, double LearningRate = Runner.LearningRate,
    EncoderKind Encoder = EncoderKind.Static, bool Pretrained = false);

/// <summary>One run's outcome: the fitted transformer, its training summary and wall-clock time.</summary>
internal sealed record RunResult(RunSpec Spec, ContrastiveEmbeddingTransformer Model, TrainingSummary Summary, TimeSpan Elapsed);

/// <summary>Trains the ContrastiveEmbedding estimator with the experiments' common model settings, and embeds texts with it.</summary>
internal sealed class Runner(string vocabularyPath)
{
    // The model of every run (see docs/experiments.md for why): a static (bag of token embeddings, mean pooled) encoder.
    internal const int Width = 256;
    internal const int MaxTokens = 48;
    internal const int ChunkSize = 32;
    internal const double LearningRate = 1e-3;
    internal const float Temperature = 0.05f;
    internal const int TransformerLayers = 2;
    internal const int TransformerWidth = 128;
    internal const double TransformerLearningRate = 5e-4;

    // The pretrained start (experiment 4): all-MiniLM-L6-v2 from its NuGet package, as the QuickStart fine-tunes it.
    internal const int PretrainedFrozenLayers = 2;

    internal static string PretrainedDescription =>
        $"{ExampleData.MiniLmPackage.ModelName} (6 layers, width 384, mean pooling + L2 normalisation, its own uncased WordPiece vocabulary), " +
        $"MaxTokens {MaxTokens}, lowest {PretrainedFrozenLayers} layers frozen, gradient-cache chunk {ChunkSize}, AdamW (weight decay 0.01, none on " +
        $"biases and LayerNorm; 10% warm-up, then linear decay), temperature {Temperature}";

    internal static string TransformerDescription =>
        $"Transformer encoder ({TransformerLayers} layers, width {TransformerWidth}, 4 heads, feed-forward {4 * TransformerWidth}, dropout 0.1, " +
        $"mean pooling, same vocabulary and MaxTokens), AdamW lr {TransformerLearningRate:0.####}";

    private readonly Dictionary<RunSpec, RunResult> cache = new();

    internal static string ModelDescription =>
        $"static encoder (bert-base-uncased WordPiece vocabulary, {Width}-d token embeddings, mean pooling), MaxTokens {MaxTokens}, " +
        $"gradient-cache chunk {ChunkSize}, AdamW lr {LearningRate:0.####} (10% warm-up, then linear decay), temperature {Temperature}";

    /// <summary>Trains (or returns the earlier run with the same spec on the same data).</summary>
    internal RunResult Train(RunSpec spec, IReadOnlyList<TrainingRow> train, IReadOnlyList<TrainingRow> validation)
    {
        if (cache.TryGetValue(spec, out var cached))
        {
            return cached;
        }

        var mlContext = new MLContext(seed: spec.Seed);
        var options = new ContrastiveEmbeddingOptions
        {
            AnchorColumnName = nameof(TrainingRow.Anchor),
            PositiveColumnName = nameof(TrainingRow.Positive),
            NegativeColumnNames = spec.HardNegatives ? [nameof(TrainingRow.Negative)] : [],
            GroupColumnName = nameof(TrainingRow.Group),
            VocabularyPath = vocabularyPath,
            EncoderKind = spec.Encoder,
            Width = spec.Encoder == EncoderKind.Static ? Width : TransformerWidth,
            EmbeddingDimension = spec.Encoder == EncoderKind.Static ? Width : TransformerWidth,
            Layers = TransformerLayers,
            Heads = 4,
            FeedForwardWidth = 4 * TransformerWidth,
            Dropout = 0.1,
            MaxTokens = MaxTokens,
            Loss = spec.Loss,
            Temperature = Temperature,
            BatchSize = spec.BatchSize,
            ChunkSize = ChunkSize,
            Epochs = spec.Epochs,
            LearningRate = spec.LearningRate,
            WarmupRatio = 0.1,
            Seed = spec.Seed,
            Device = DeviceKind.Cpu,
            ValidationData = mlContext.Data.LoadFromEnumerable(validation),
        };
        if (spec.Pretrained)
        {
            options.PretrainedModelPath = ExampleData.MiniLmPackage.WriteFolder();
            options.VocabularyPath = null; // the checkpoint's own vocabulary
            options.EmbeddingDimension = null; // MiniLM's own 384, no projection
            options.Pooling = PoolingMode.Mean;
            options.Normalize = true; // all-MiniLM-L6-v2 is mean + L2 (its modules.json; the ONNX file does not say)
            options.FrozenLayers = PretrainedFrozenLayers;
        }

        Console.Write($"  {spec.Task}: {(spec.Pretrained ? "MiniLM" : spec.Encoder.ToString())} {spec.Loss} batch {spec.BatchSize} lr {spec.LearningRate} seed {spec.Seed} ... ");
        var watch = Stopwatch.StartNew();
        var model = mlContext.Transforms.ContrastiveEmbedding(options).Fit(mlContext.Data.LoadFromEnumerable(train));
        watch.Stop();
        var summary = model.TrainingSummary ?? throw new InvalidOperationException("A fitted transformer has a training summary.");
        Console.WriteLine($"{summary.Steps} steps in {watch.Elapsed.TotalSeconds:0}s, last loss {(summary.Losses.Count == 0 ? "-" : summary.Losses[^1].ToString("0.000"))}, " +
            $"validation R@1 {string.Join(" ", summary.ValidationRecallAt1.Select(v => v.ToString("0.000")))}");
        var result = new RunResult(spec, model, summary, watch.Elapsed);
        cache[spec] = result;
        return result;
    }

    /// <summary>Embeds texts with a fitted transformer through ML.NET's Transform (as a user would).</summary>
    internal static IReadOnlyList<float[]> Embed(ContrastiveEmbeddingTransformer model, IReadOnlyList<string> texts)
    {
        var mlContext = new MLContext(seed: 0);
        var data = mlContext.Data.LoadFromEnumerable(texts.Select(t => new TextRow { Anchor = t }));
        return model.Transform(data).GetColumn<float[]>("Embedding").ToList();
    }
}
