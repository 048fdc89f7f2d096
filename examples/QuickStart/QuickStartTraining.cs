using ExampleData;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Contrastive.Losses;
using MLNet.Contrastive.Transforms;

namespace QuickStart;

/// <summary>Trains the ContrastiveEmbedding estimator on the pairs, and builds the same model untrained for comparison.</summary>
public static class QuickStartTraining
{
    /// <summary>The text column the fitted model embeds (the anchor column).</summary>
    public const string TextColumn = nameof(TrainingRow.Anchor);

    /// <summary>The embedding column the fitted model adds.</summary>
    public const string EmbeddingColumn = "Embedding";

    /// <summary>Builds the estimator's options from the QuickStart options.</summary>
    /// <param name="options">The QuickStart options.</param>
    /// <param name="negativeColumns">How many hard-negative columns the training rows have (0 to 3).</param>
    /// <param name="progress">Receives a report after every optimizer step, or null.</param>
    /// <returns>The estimator options.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="negativeColumns"/> is not in [0, 3].</exception>
    public static ContrastiveEmbeddingOptions EstimatorOptions(QuickStartOptions options, int negativeColumns,
        IProgress<ContrastiveTrainingProgress>? progress)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(negativeColumns);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(negativeColumns, TrainingRow.NegativeColumns.Length);
        return new ContrastiveEmbeddingOptions
        {
            AnchorColumnName = nameof(TrainingRow.Anchor),
            PositiveColumnName = nameof(TrainingRow.Positive),
            NegativeColumnNames = TrainingRow.NegativeColumns[..negativeColumns],
            GroupColumnName = nameof(TrainingRow.Group),
            Columns = [new InputOutputColumnPair(EmbeddingColumn, TextColumn)],
            EncoderKind = options.Encoder,
            Layers = options.Layers,
            Heads = 4,
            Width = options.Width,
            FeedForwardWidth = 4 * options.Width,
            Dropout = 0.1,
            MaxTokens = options.MaxTokens,
            EmbeddingDimension = options.Width,
            Loss = LossKind.InfoNce,
            Temperature = 0.05f,
            BatchSize = options.BatchSize,
            ChunkSize = options.ChunkSize,
            Epochs = options.Epochs,
            LearningRate = options.LearningRate,
            WarmupRatio = 0.1,
            Seed = options.Seed,
            Progress = progress,
            CancellationToken = options.CancellationToken,
        };
    }

    /// <summary>Puts the pairs into an ML.NET data view with the negative columns every pair has (at most three).</summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="pairs">The training pairs.</param>
    /// <param name="negativeColumns">How many negative columns the view has.</param>
    /// <returns>The data view: Anchor, Positive, Group and Negative1..Negative<paramref name="negativeColumns"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IDataView ToDataView(MLContext mlContext, IReadOnlyList<ContrastivePair> pairs, out int negativeColumns)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(pairs);
        negativeColumns = pairs.Count == 0 ? 0 : Math.Min(TrainingRow.NegativeColumns.Length, pairs.Min(p => p.Negatives.Count));
        int used = negativeColumns;
        var rows = pairs.Select(p => new TrainingRow
        {
            Anchor = p.Anchor,
            Positive = p.Positive,
            Group = p.Group,
            Negative1 = used > 0 ? p.Negatives[0] : "",
            Negative2 = used > 1 ? p.Negatives[1] : "",
            Negative3 = used > 2 ? p.Negatives[2] : "",
        }).ToList();
        var schema = SchemaDefinition.Create(typeof(TrainingRow));
        foreach (string unused in TrainingRow.NegativeColumns[used..])
        {
            schema.Remove(schema[unused]);
        }

        return mlContext.Data.LoadFromEnumerable(rows, schema);
    }
}
