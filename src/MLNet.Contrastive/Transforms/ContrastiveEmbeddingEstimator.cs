using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLNet.Contrastive.Transforms;

/// <summary>
/// Trains a text encoder contrastively (anchor, positive, optional hard negatives) with a gradient cache, and
/// produces a <see cref="ContrastiveEmbeddingTransformer"/> that embeds text columns.
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// ### Estimator Characteristics
/// |  |  |
/// | -- | -- |
/// | Does this estimator need to look at the data to train its parameters? | Yes |
/// | Input column data type | [Text](xref:Microsoft.ML.Data.TextDataViewType) (anchor, positive, negatives; group: text or integer) |
/// | Output column data type | Known-sized vector of [Single](xref:System.Single) |
/// | Exportable to ONNX | Not through `ConvertToOnnx`; the fitted transformer's `ExportToOnnx` writes the encoder as an ONNX BERT graph (docs/onnx-export.md) |
///
/// Fit reads the training columns with one cursor pass, trains, and returns a transformer whose output columns are
/// `Vector<Single, D>` with D = the embedding dimension. Progress goes to the MLContext log and to
/// <see cref="ContrastiveEmbeddingOptions.Progress"/>; <see cref="ContrastiveEmbeddingOptions.CancellationToken"/>
/// stops it between steps.
/// ]]></format>
/// </remarks>
public sealed class ContrastiveEmbeddingEstimator : IEstimator<ContrastiveEmbeddingTransformer>
{
    private readonly IHost host;
    private readonly ContrastiveEmbeddingOptions options;
    private readonly InputOutputColumnPair[] columns;
    private readonly int seed;
    private readonly TrainingPlan plan;

    internal ContrastiveEmbeddingEstimator(IHostEnvironment env, ContrastiveEmbeddingOptions options)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(options);
        this.options = options.Freeze();
        host = env.Register(nameof(ContrastiveEmbeddingEstimator));
        columns = this.options.Columns!;
        seed = this.options.Seed ?? (host as IHostEnvironmentInternal)?.Seed ?? 0;
        plan = this.options.ToPlan(seed);
    }

    /// <summary>Gets what this estimator hands the core when it fits (for tests).</summary>
    internal TrainingPlan Plan => plan;

    /// <summary>Checks the input schema and returns the output schema: the input plus one known-size Single vector per output column.</summary>
    /// <param name="inputSchema">The shape of the training data.</param>
    /// <returns>The shape of the transformed data.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="inputSchema"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A needed column is missing or has the wrong type (the message names it, the expected and the actual type).</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        CheckSchema(inputSchema);
        var result = inputSchema.ToDictionary(c => c.Name);
        foreach (var pair in columns)
        {
            result[pair.OutputColumnName] = new SchemaShape.Column(
                pair.OutputColumnName, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, isKey: false);
        }

        return new SchemaShape(result.Values);
    }

    /// <summary>Trains the encoder on <paramref name="input"/>.</summary>
    /// <param name="input">The training data: text anchor, positive and negative columns, optionally a group column.</param>
    /// <returns>The fitted transformer.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A needed column is missing or has the wrong type, or MaxTokens exceeds a pretrained checkpoint's position table.</exception>
    /// <exception cref="InvalidOperationException">A training text is null or empty (the message names column and row),
    /// there are fewer than 2 rows, or every row is in one group.</exception>
    /// <exception cref="OperationCanceledException">The options' cancellation token, or the MLContext, cancelled training; no model is returned.</exception>
    public ContrastiveEmbeddingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckSchema(SchemaShape.Create(input.Schema));
        if (options.ValidationData is { } validationData)
        {
            CheckSchema(SchemaShape.Create(validationData.Schema), "validation data's ");
        }

        var cancellation = options.CancellationToken;
        using var channel = host.Start("Training contrastive embedding");
        using var progressChannel = host.StartProgressChannel("Contrastive embedding training");
        var (tokenizer, pretrained, communicator) = EmbeddingTraining.Prepare(plan);
        if (options.Tokenizer is not null && pretrained is null)
        {
            channel.Warning(
                "The model is trained with a Tokenizer instance, so it will transform but cannot be saved (mlContext.Model.Save throws NotSupportedException). To get a savable model, set VocabularyPath to the tokenizer's vocab.txt (BERT WordPiece) instead of Tokenizer, or leave both null for the built-in cl100k_base.");
        }

        TokenizedTrainingData training;
        TokenizedTrainingData? validation;
        try
        {
            training = TrainingDataReader.Read(host, input, options, tokenizer, cancellation);
            validation = options.ValidationData is { } v ? TrainingDataReader.Read(host, v, options, tokenizer, cancellation, TrainingDataReader.ValidationDataName) : null;
            if (training.Examples.Count < 2 && options.Epochs > 0)
            {
                throw host.Except(
                    $"The training data has {training.Examples.Count} row; at least 2 are needed (each row's negatives are the other rows of its batch).");
            }
        }
        catch
        {
            pretrained?.Dispose();
            throw;
        }

        channel.Info($"Read {training.Examples.Count} training examples ({training.TruncatedTexts} texts truncated to {tokenizer.MaxTokens} tokens); seed {seed}.");

        var last = new ContrastiveTrainingProgress(0, 0, 0, float.NaN, 0, TimeSpan.Zero);
        progressChannel.SetHeader(new ProgressHeader(new[] { "Loss", "Examples/s" }, new[] { "Steps" }), entry =>
        {
            entry.SetProgress(0, last.Step, last.TotalSteps);
            entry.SetMetric(0, last.Loss);
            entry.SetMetric(1, last.ExamplesPerSecond);
        });

        void Report(ContrastiveTrainingProgress progress)
        {
            last = progress;
            progressChannel.Checkpoint(progress.Loss, progress.ExamplesPerSecond, progress.Step, progress.TotalSteps);
            channel.Trace($"Step {progress.Step}/{progress.TotalSteps} (epoch {progress.Epoch}): loss {progress.Loss:0.0000}, {progress.ExamplesPerSecond:0.0} examples/s, {progress.EstimatedRemaining:hh\\:mm\\:ss} left.");
            options.Progress?.Report(progress);
        }

        void CheckAlive()
        {
            cancellation.ThrowIfCancellationRequested();
            host.CheckAlive();
        }

        var (model, summary) = EmbeddingTraining.Train(channel, plan, tokenizer, pretrained, communicator, training, validation, Report, CheckAlive, cancellation);
        channel.Info($"Training done: {summary.Steps} steps in {summary.Elapsed}, last loss {last.Loss}.");
        return new ContrastiveEmbeddingTransformer(host, model, columns, options.ColumnPrefixes())
        {
            TrainingSummary = summary, TransformBatchSize = options.TransformBatchSize,
            ModelCard = ModelCardBuilder.Create(options, model, summary),
        };
    }

    // rolePrefix tells whose schema it is ("validation data's "), so an error cannot be read as the training data's.
    private void CheckSchema(SchemaShape schema, string rolePrefix = "")
    {
        ColumnChecks.RequireText(host, schema, rolePrefix + "anchor", options.AnchorColumnName);
        ColumnChecks.RequireText(host, schema, rolePrefix + "positive", options.PositiveColumnName);
        foreach (var negative in options.NegativeColumnNames)
        {
            ColumnChecks.RequireText(host, schema, rolePrefix + "negative", negative);
        }

        if (options.GroupColumnName is { } group)
        {
            ColumnChecks.RequireGroup(host, schema, group, rolePrefix + "group");
        }

        foreach (var pair in columns)
        {
            ColumnChecks.RequireText(host, schema, rolePrefix + "input", pair.InputColumnName);
        }
    }
}
