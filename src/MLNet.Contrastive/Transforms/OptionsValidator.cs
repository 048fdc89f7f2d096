using Microsoft.ML;
using MLNet.Contrastive.Encoders;

namespace MLNet.Contrastive.Transforms;

/// <summary>Validates <see cref="ContrastiveEmbeddingOptions"/> and makes the estimator's private copy.</summary>
internal static class OptionsValidator
{
    /// <summary>The default output column, embedded from the anchor column.</summary>
    internal const string DefaultOutputColumnName = "Embedding";

    /// <summary>The learning rate from scratch when none is chosen.</summary>
    internal const double DefaultLearningRate = 1e-3;

    /// <summary>The learning rate from a pretrained model when none is chosen.</summary>
    internal const double DefaultPretrainedLearningRate = 2e-5;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid option.</summary>
    internal static void Validate(ContrastiveEmbeddingOptions o)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(o.AnchorColumnName, nameof(o.AnchorColumnName));
        ArgumentException.ThrowIfNullOrWhiteSpace(o.PositiveColumnName, nameof(o.PositiveColumnName));
        ArgumentNullException.ThrowIfNull(o.NegativeColumnNames, nameof(o.NegativeColumnNames));
        foreach (var negative in o.NegativeColumnNames)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(negative, nameof(o.NegativeColumnNames));
        }

        if (o.GroupColumnName is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(o.GroupColumnName, nameof(o.GroupColumnName));
        }

        if (o.Columns is { } columns)
        {
            if (columns.Length == 0)
            {
                throw new ArgumentException("At least one (output, input) column pair is needed, or null for the default.", nameof(o.Columns));
            }

            var outputs = new HashSet<string>();
            foreach (var pair in columns)
            {
                ArgumentNullException.ThrowIfNull(pair, nameof(o.Columns));
                ArgumentException.ThrowIfNullOrWhiteSpace(pair.OutputColumnName, nameof(o.Columns));
                ArgumentException.ThrowIfNullOrWhiteSpace(pair.InputColumnName, nameof(o.Columns));
                if (!outputs.Add(pair.OutputColumnName))
                {
                    throw new ArgumentException($"Output column '{pair.OutputColumnName}' is given more than once.", nameof(o.Columns));
                }
            }
        }

        if (o.Tokenizer is not null && o.VocabularyPath is not null)
        {
            throw new ArgumentException("Set at most one of Tokenizer and VocabularyPath.", nameof(o.VocabularyPath));
        }

        if (!Enum.IsDefined(o.EncoderKind))
        {
            throw new ArgumentOutOfRangeException(nameof(o.EncoderKind), o.EncoderKind, "Unknown encoder kind.");
        }

        if (!Enum.IsDefined(o.Loss))
        {
            throw new ArgumentOutOfRangeException(nameof(o.Loss), o.Loss, "Unknown loss.");
        }

        var fromScratch = o.PretrainedModelPath is null && o.PretrainedCheckpointDirectory is null;
        if (o.Pooling is { } chosen && chosen != Encoders.PoolingMode.Mean && o.EncoderKind == Encoders.EncoderKind.Static && fromScratch)
        {
            throw new ArgumentException(
                $"Pooling {o.Pooling} needs EncoderKind.Transformer: the static encoder always takes the mean of its token embeddings.", nameof(o.Pooling));
        }

        if (!o.CompactVocabulary && o.Tokenizer is not null && fromScratch)
        {
            throw new ArgumentException(
                "CompactVocabulary = false needs a tokenizer of known vocabulary size: set VocabularyPath or use the built-in cl100k_base tokenizer, not a Tokenizer instance.",
                nameof(o.CompactVocabulary));
        }

        if (!Enum.IsDefined(o.Device))
        {
            throw new ArgumentOutOfRangeException(nameof(o.Device), o.Device, "Unknown device kind.");
        }

        if (!Enum.IsDefined(o.Distributed))
        {
            throw new ArgumentOutOfRangeException(nameof(o.Distributed), o.Distributed, "Unknown distributed mode.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(o.Layers, nameof(o.Layers));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(o.Heads, nameof(o.Heads));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(o.Width, nameof(o.Width));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(o.FeedForwardWidth, nameof(o.FeedForwardWidth));
        if (o.MaxTokens is { } maxTokens)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxTokens, nameof(o.MaxTokens));
        }

        if (o.EmbeddingDimension is { } dimension)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension, nameof(o.EmbeddingDimension));
        }

        if (o.Pooling is { } pooling && !Enum.IsDefined(pooling))
        {
            throw new ArgumentOutOfRangeException(nameof(o.Pooling), pooling, "Expected Mean, Cls or Max.");
        }

        if (o.PretrainedModelPath is not null && o.PretrainedCheckpointDirectory is not null)
        {
            throw new ArgumentException("Set at most one of PretrainedModelPath and PretrainedCheckpointDirectory.", nameof(o.PretrainedModelPath));
        }

        if (o.QueryColumnNames is { } queries)
        {
            var outputs = o.Columns?.Select(c => c.OutputColumnName).ToHashSet() ?? [DefaultOutputColumnName];
            foreach (var name in queries)
            {
                if (name is null || !outputs.Contains(name))
                {
                    throw new ArgumentException(
                        $"QueryColumnNames: '{name}' is not an output column of Columns ({string.Join(", ", outputs)}).", nameof(o.QueryColumnNames));
                }
            }
        }

        if (o.BatchSize < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(o.BatchSize), o.BatchSize, "BatchSize must be at least 2: each row's negatives are the other rows of its batch.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(o.ChunkSize, nameof(o.ChunkSize));
        ArgumentOutOfRangeException.ThrowIfNegative(o.Epochs, nameof(o.Epochs));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(o.TransformBatchSize, nameof(o.TransformBatchSize));
        if (o.IntraOpThreads is { } threads)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads, nameof(o.IntraOpThreads));
        }

        if (o.Width % o.Heads != 0)
        {
            throw new ArgumentException($"Heads ({o.Heads}) must divide Width ({o.Width}).", nameof(o.Heads));
        }

        // A pretrained model is a Transformer whatever EncoderKind says (EncoderKind chooses the architecture from scratch).
        var pretrained = o.PretrainedModelPath is not null || o.PretrainedCheckpointDirectory is not null;
        if (o.MaxTokens is < 2 && (o.VocabularyPath is not null || pretrained))
        {
            throw new ArgumentOutOfRangeException(nameof(o.MaxTokens), o.MaxTokens, "MaxTokens must be at least 2 with a BERT vocabulary: every text starts with [CLS] and ends with [SEP].");
        }

        if (o.EncoderKind == EncoderKind.Transformer && !pretrained)
        {
            // A new Transformer's position table is MaxTokens long; a pretrained model's is checked when it is read.
            AttentionBudget.CheckMaxTokens(o.MaxTokens ?? EmbeddingModel.DefaultMaxTokens, AttentionBudget.MaxPositions, o.Heads, nameof(o.MaxTokens));
        }

        if (!(o.Temperature > 0f) || float.IsInfinity(o.Temperature))
        {
            throw new ArgumentOutOfRangeException(nameof(o.Temperature), o.Temperature, "Expected a finite temperature > 0.");
        }

        if (!(o.Dropout >= 0 && o.Dropout < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(o.Dropout), o.Dropout, "Expected a dropout probability in [0, 1).");
        }

        if (o.LearningRate is { } rate && (!(rate > 0) || double.IsInfinity(rate)))
        {
            throw new ArgumentOutOfRangeException(nameof(o.LearningRate), rate, "Expected a finite learning rate > 0, or null for the default.");
        }

        if (!(o.WeightDecay >= 0) || double.IsInfinity(o.WeightDecay))
        {
            throw new ArgumentOutOfRangeException(nameof(o.WeightDecay), o.WeightDecay, "Expected a finite weight decay >= 0.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(o.FrozenLayers, nameof(o.FrozenLayers));
        if (o.FrozenLayers > 0 && fromScratch && o.EncoderKind == Encoders.EncoderKind.Static)
        {
            throw new ArgumentException(
                $"FrozenLayers ({o.FrozenLayers}) needs a Transformer: the static encoder has no layers to freeze.", nameof(o.FrozenLayers));
        }

        if (fromScratch && o.EncoderKind == Encoders.EncoderKind.Transformer && o.FrozenLayers > o.Layers)
        {
            throw new ArgumentOutOfRangeException(nameof(o.FrozenLayers), o.FrozenLayers,
                $"At most Layers ({o.Layers}) can be frozen.");
        }

        if (!(o.WarmupRatio >= 0 && o.WarmupRatio < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(o.WarmupRatio), o.WarmupRatio, "Expected a warm-up ratio in [0, 1).");
        }
    }

    /// <summary>The learning rate a run uses: the option, else 1e-3 from scratch and 2e-5 from a pretrained model.</summary>
    internal static double LearningRate(ContrastiveEmbeddingOptions o) =>
        o.LearningRate ?? (o.PretrainedModelPath is null && o.PretrainedCheckpointDirectory is null ? DefaultLearningRate : DefaultPretrainedLearningRate);

    /// <summary>The prefix of each output column of <paramref name="o"/> (a validated copy): query or document.</summary>
    internal static string[] ColumnPrefixes(ContrastiveEmbeddingOptions o) => o.Columns!
        .Select(c => (o.QueryColumnNames?.Contains(c.OutputColumnName) ?? c.InputColumnName == o.AnchorColumnName)
            ? o.QueryPrefix ?? string.Empty
            : o.DocumentPrefix ?? string.Empty)
        .ToArray();

    /// <summary>A copy the caller cannot change afterwards, with <see cref="ContrastiveEmbeddingOptions.Columns"/> filled in.</summary>
    internal static ContrastiveEmbeddingOptions Copy(ContrastiveEmbeddingOptions o) => new()
    {
        AnchorColumnName = o.AnchorColumnName,
        PositiveColumnName = o.PositiveColumnName,
        NegativeColumnNames = (string[])o.NegativeColumnNames.Clone(),
        GroupColumnName = o.GroupColumnName,
        Columns = o.Columns?.Select(c => new InputOutputColumnPair(c.OutputColumnName, c.InputColumnName)).ToArray()
            ?? new[] { new InputOutputColumnPair(DefaultOutputColumnName, o.AnchorColumnName) },
        Tokenizer = o.Tokenizer,
        VocabularyPath = o.VocabularyPath,
        EncoderKind = o.EncoderKind,
        Layers = o.Layers,
        Heads = o.Heads,
        Width = o.Width,
        FeedForwardWidth = o.FeedForwardWidth,
        Dropout = o.Dropout,
        CompactVocabulary = o.CompactVocabulary,
        MaxTokens = o.MaxTokens,
        EmbeddingDimension = o.EmbeddingDimension,
        PretrainedCheckpointDirectory = o.PretrainedCheckpointDirectory,
        PretrainedModelPath = o.PretrainedModelPath,
        Pooling = o.Pooling,
        Normalize = o.Normalize,
        QueryPrefix = o.QueryPrefix,
        DocumentPrefix = o.DocumentPrefix,
        QueryColumnNames = (string[]?)o.QueryColumnNames?.Clone(),
        Loss = o.Loss,
        Temperature = o.Temperature,
        LearnableTemperature = o.LearnableTemperature,
        BatchSize = o.BatchSize,
        ChunkSize = o.ChunkSize,
        TrimNativeHeap = o.TrimNativeHeap,
        TransformBatchSize = o.TransformBatchSize,
        Epochs = o.Epochs,
        LearningRate = o.LearningRate,
        WeightDecay = o.WeightDecay,
        FreezeEmbeddings = o.FreezeEmbeddings,
        FrozenLayers = o.FrozenLayers,
        WarmupRatio = o.WarmupRatio,
        Seed = o.Seed,
        Device = o.Device,
        Distributed = o.Distributed,
        IntraOpThreads = o.IntraOpThreads,
        ValidationData = o.ValidationData,
        Progress = o.Progress,
        CancellationToken = o.CancellationToken,
    };
}
