using Microsoft.ML;
using Microsoft.ML.Tokenizers;
using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Losses;

namespace MLNet.Contrastive.MLNet;

/// <summary>
/// Options of <see cref="ContrastiveEmbeddingEstimator"/>: the training columns, the columns embedded at transform
/// time, the tokenizer, the encoder, the loss and the optimisation schedule.
/// </summary>
/// <remarks>The estimator validates and copies these options once, when it is created; later changes have no effect on it.</remarks>
public sealed class ContrastiveEmbeddingOptions
{
    /// <summary>Gets or sets the name of the anchor text column. Default is <c>"Anchor"</c>.</summary>
    public string AnchorColumnName { get; set; } = "Anchor";

    /// <summary>Gets or sets the name of the positive text column. Default is <c>"Positive"</c>.</summary>
    public string PositiveColumnName { get; set; } = "Positive";

    /// <summary>Gets or sets the names of hard-negative text columns (one negative per column and row). Default is empty.</summary>
    public string[] NegativeColumnNames { get; set; } = Array.Empty<string>();

    /// <summary>
    /// Gets or sets the name of an optional group column (text or integer): rows of one group are never negatives of
    /// each other. A missing text value (null, empty or white space) means the row is in no group: it is every other
    /// row's negative. If every row has the same group (and no hard negative), no row has a negative and Fit throws.
    /// Default is <see langword="null"/> (no groups).
    /// </summary>
    public string? GroupColumnName { get; set; }

    /// <summary>
    /// Gets or sets the columns the fitted transformer embeds, as (output, input) pairs; every input is a text column.
    /// Default is <see langword="null"/>: one output column <c>"Embedding"</c> from <see cref="AnchorColumnName"/>.
    /// </summary>
    public InputOutputColumnPair[]? Columns { get; set; }

    /// <summary>
    /// Gets or sets the tokenizer. Default is <see langword="null"/>: the built-in cl100k_base tokenizer, unless
    /// <see cref="VocabularyPath"/> is set. A tokenizer instance trains and transforms, but a model built on one cannot be
    /// saved (ML.NET's tokenizers do not expose what they were built from); use <see cref="VocabularyPath"/> or the built-in one to save.
    /// </summary>
    public Tokenizer? Tokenizer { get; set; }

    /// <summary>
    /// Gets or sets the path of a WordPiece vocabulary file (one token a line) to build a tokenizer from. Default is
    /// <see langword="null"/>. At most one of <see cref="Tokenizer"/> and <see cref="VocabularyPath"/> may be set.
    /// </summary>
    public string? VocabularyPath { get; set; }

    /// <summary>Gets or sets the encoder architecture. Default is <see cref="EncoderKind.Transformer"/>.</summary>
    public EncoderKind EncoderKind { get; set; } = EncoderKind.Transformer;

    /// <summary>Gets or sets the number of Transformer layers. Default is 2.</summary>
    public int Layers { get; set; } = 2;

    /// <summary>Gets or sets the number of attention heads; it must divide <see cref="Width"/>. Default is 4.</summary>
    public int Heads { get; set; } = 4;

    /// <summary>Gets or sets the width (hidden size) of the encoder. Default is 128.</summary>
    public int Width { get; set; } = 128;

    /// <summary>Gets or sets the width of the Transformer's feed-forward layers. Default is 512.</summary>
    public int FeedForwardWidth { get; set; } = 512;

    /// <summary>Gets or sets the dropout probability of the Transformer (embeddings, sub-layers, attention). Default is 0.1.</summary>
    public double Dropout { get; set; } = 0.1;

    /// <summary>
    /// Gets or sets the maximum number of tokens per text, special tokens included; longer texts are truncated. For a
    /// Transformer it is at most the position table (<see cref="AttentionBudget.MaxPositions"/> = 8192 from scratch, the
    /// checkpoint's <c>max_position_embeddings</c> otherwise) and at most <c>sqrt(AttentionBudget.MaxScores / Heads)</c>.
    /// Default is 128.
    /// </summary>
    public int MaxTokens { get; set; } = 128;

    /// <summary>Gets or sets the size of the output embeddings. Default is 128.</summary>
    public int EmbeddingDimension { get; set; } = 128;

    /// <summary>
    /// Gets or sets a directory holding a pretrained checkpoint to start from; when set, it defines the encoder and
    /// the size options above are ignored. Default is <see langword="null"/> (train from scratch).
    /// </summary>
    public string? PretrainedCheckpointDirectory { get; set; }

    /// <summary>Gets or sets the loss (see docs/losses.md). Default is <see cref="LossKind.InfoNce"/>.</summary>
    public LossKind Loss { get; set; } = LossKind.InfoNce;

    /// <summary>Gets or sets the softmax temperature τ of the loss (similarities are divided by τ). Default is 0.05.</summary>
    public float Temperature { get; set; } = 0.05f;

    /// <summary>Gets or sets a value indicating whether the temperature is learned, starting from <see cref="Temperature"/>. Default is <see langword="false"/>.</summary>
    public bool LearnableTemperature { get; set; }

    /// <summary>Gets or sets the number of examples per optimizer step (the contrastive batch). Default is 256.</summary>
    public int BatchSize { get; set; } = 256;

    /// <summary>Gets or sets the number of texts per forward/backward chunk of the gradient cache; it bounds memory. Default is 32.</summary>
    public int ChunkSize { get; set; } = 32;

    /// <summary>
    /// Gets or sets the number of passes over the training data. 0 trains nothing: the transformer embeds with the
    /// initial weights (the same tokenizer, vocabulary, architecture and seed that training would start from), a fair
    /// "before training" baseline. Default is 1.
    /// </summary>
    public int Epochs { get; set; } = 1;

    /// <summary>Gets or sets the peak learning rate of AdamW. Default is 5e-4.</summary>
    public double LearningRate { get; set; } = 5e-4;

    /// <summary>Gets or sets the fraction of steps of linear warm-up, in [0, 1). Default is 0.1.</summary>
    public double WarmupRatio { get; set; } = 0.1;

    /// <summary>
    /// Gets or sets the seed of initialisation, shuffling and dropout. Default is <see langword="null"/>: the seed of
    /// the <see cref="MLContext"/> (and 0 when the context has none).
    /// </summary>
    public int? Seed { get; set; }

    /// <summary>Gets or sets where training and inference run. Default is <see cref="DeviceKind.Auto"/>.</summary>
    public DeviceKind Device { get; set; } = DeviceKind.Auto;

    /// <summary>
    /// Gets or sets validation data with the same text columns as the training data, evaluated after each epoch.
    /// Default is <see langword="null"/>.
    /// </summary>
    public IDataView? ValidationData { get; set; }

    /// <summary>Gets or sets a receiver of a report after each training step. Default is <see langword="null"/>.</summary>
    public IProgress<ContrastiveTrainingProgress>? Progress { get; set; }

    /// <summary>
    /// Gets or sets a token that cancels <see cref="ContrastiveEmbeddingEstimator.Fit"/> between steps (it then throws
    /// <see cref="OperationCanceledException"/> and returns no model). Default is <see cref="CancellationToken.None"/>.
    /// </summary>
    public CancellationToken CancellationToken { get; set; }
}
