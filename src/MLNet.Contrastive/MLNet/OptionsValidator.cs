using Microsoft.ML;
using MLNet.Contrastive.Encoders;

namespace MLNet.Contrastive.MLNet;

/// <summary>Validates <see cref="ContrastiveEmbeddingOptions"/> and makes the estimator's private copy.</summary>
internal static class OptionsValidator
{
    /// <summary>The default output column, embedded from the anchor column.</summary>
    internal const string DefaultOutputColumnName = "Embedding";

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

        if (!Enum.IsDefined(o.Device))
        {
            throw new ArgumentOutOfRangeException(nameof(o.Device), o.Device, "Unknown device kind.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(o.Layers, nameof(o.Layers));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(o.Heads, nameof(o.Heads));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(o.Width, nameof(o.Width));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(o.FeedForwardWidth, nameof(o.FeedForwardWidth));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(o.MaxTokens, nameof(o.MaxTokens));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(o.EmbeddingDimension, nameof(o.EmbeddingDimension));
        if (o.BatchSize < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(o.BatchSize), o.BatchSize, "BatchSize must be at least 2: each row's negatives are the other rows of its batch.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(o.ChunkSize, nameof(o.ChunkSize));
        ArgumentOutOfRangeException.ThrowIfNegative(o.Epochs, nameof(o.Epochs));
        if (o.Width % o.Heads != 0)
        {
            throw new ArgumentException($"Heads ({o.Heads}) must divide Width ({o.Width}).", nameof(o.Heads));
        }

        if (o.PretrainedCheckpointDirectory is not null && o.EncoderKind != EncoderKind.Transformer)
        {
            throw new ArgumentException(
                $"EncoderKind is {o.EncoderKind} but PretrainedCheckpointDirectory is set: a BERT checkpoint is a Transformer; set EncoderKind = Transformer or leave PretrainedCheckpointDirectory null.",
                nameof(o.EncoderKind));
        }

        if (o.MaxTokens < 2 && (o.VocabularyPath is not null || o.PretrainedCheckpointDirectory is not null))
        {
            throw new ArgumentOutOfRangeException(nameof(o.MaxTokens), o.MaxTokens, "MaxTokens must be at least 2 with a BERT vocabulary: every text starts with [CLS] and ends with [SEP].");
        }

        if (o.EncoderKind == EncoderKind.Transformer && o.PretrainedCheckpointDirectory is null)
        {
            // A new Transformer's position table is MaxTokens long; a checkpoint's is checked when Fit reads its config.
            AttentionBudget.CheckMaxTokens(o.MaxTokens, AttentionBudget.MaxPositions, o.Heads, nameof(o.MaxTokens));
        }

        if (!(o.Temperature > 0f) || float.IsInfinity(o.Temperature))
        {
            throw new ArgumentOutOfRangeException(nameof(o.Temperature), o.Temperature, "Expected a finite temperature > 0.");
        }

        if (!(o.Dropout >= 0 && o.Dropout < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(o.Dropout), o.Dropout, "Expected a dropout probability in [0, 1).");
        }

        if (!(o.LearningRate > 0) || double.IsInfinity(o.LearningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(o.LearningRate), o.LearningRate, "Expected a finite learning rate > 0.");
        }

        if (!(o.WarmupRatio >= 0 && o.WarmupRatio < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(o.WarmupRatio), o.WarmupRatio, "Expected a warm-up ratio in [0, 1).");
        }
    }

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
        MaxTokens = o.MaxTokens,
        EmbeddingDimension = o.EmbeddingDimension,
        PretrainedCheckpointDirectory = o.PretrainedCheckpointDirectory,
        Loss = o.Loss,
        Temperature = o.Temperature,
        LearnableTemperature = o.LearnableTemperature,
        BatchSize = o.BatchSize,
        ChunkSize = o.ChunkSize,
        Epochs = o.Epochs,
        LearningRate = o.LearningRate,
        WarmupRatio = o.WarmupRatio,
        Seed = o.Seed,
        Device = o.Device,
        ValidationData = o.ValidationData,
        Progress = o.Progress,
        CancellationToken = o.CancellationToken,
    };
}
