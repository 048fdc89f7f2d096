using Microsoft.ML.Tokenizers;

namespace MLNet.Contrastive.Encoders;

/// <summary>
/// What model to build: a new encoder of a given shape over a tokenizer, or a pretrained checkpoint with its own
/// pooling, normalisation and length unless told otherwise. The one description of a model to build: the ML.NET
/// estimator makes one from <c>ContrastiveEmbeddingOptions</c> (same names; these defaults are that class's), and
/// <see cref="EmbeddingModel.CreatePretrained(string, PretrainedModelOptions?)"/> from its options. Immutable.
/// </summary>
internal sealed record EncoderSpec
{
    /// <summary>The maximum tokens per text of a model trained from scratch when none is chosen.</summary>
    internal const int DefaultMaxTokens = 128;

    /// <summary>Gets a Hugging Face / sentence-transformers folder or an ONNX file to start from, or <see langword="null"/>
    /// to build a new encoder. A pretrained model is a Transformer whatever <see cref="EncoderKind"/> says.</summary>
    public string? PretrainedModelPath { get; init; }

    /// <summary>Gets the architecture of a new encoder.</summary>
    public EncoderKind EncoderKind { get; init; } = EncoderKind.Static;

    /// <summary>Gets the Transformer layers of a new encoder.</summary>
    public int Layers { get; init; } = 2;

    /// <summary>Gets the attention heads of a new Transformer; they divide <see cref="Width"/>.</summary>
    public int Heads { get; init; } = 4;

    /// <summary>Gets the width of a new encoder's token states (Transformer) or embeddings (static).</summary>
    public int Width { get; init; } = 128;

    /// <summary>Gets the feed-forward width of a new Transformer.</summary>
    public int FeedForwardWidth { get; init; } = 512;

    /// <summary>Gets the dropout of a Transformer (embeddings, sub-layers, attention), new or pretrained.</summary>
    public double Dropout { get; init; } = 0.1;

    /// <summary>Gets the most tokens per text, or <see langword="null"/>: <see cref="DefaultMaxTokens"/> from scratch; for a
    /// pretrained model its sentence_bert_config.json max_seq_length, else its position count.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>Gets the size of the embeddings: a size other than the encoder's width adds a trained linear projection;
    /// <see langword="null"/> keeps the width.</summary>
    public int? EmbeddingDimension { get; init; }

    /// <summary>Gets the size of the embeddings the model gives when it is smaller than <see cref="EmbeddingDimension"/>: the
    /// first values of each (normalised again when <see cref="Normalize"/>), for a model trained with Matryoshka
    /// dimensions; <see langword="null"/> for the whole embeddings.</summary>
    public int? TruncatedDimension { get; init; }

    /// <summary>Gets the pooling, or <see langword="null"/>: mean from scratch, the checkpoint's own for a pretrained model.</summary>
    public PoolingMode? Pooling { get; init; }

    /// <summary>Gets whether embeddings are L2-normalised, or <see langword="null"/>: no from scratch, the checkpoint's
    /// own (a Normalize module in modules.json) for a pretrained model.</summary>
    public bool? Normalize { get; init; }

    /// <summary>Gets a value indicating whether a new encoder's embedding table holds only the ids of the training
    /// texts (plus one row for unseen ids).</summary>
    public bool CompactVocabulary { get; init; } = true;

    /// <summary>Gets a BERT vocab.txt: the tokenizer of a new encoder, or a pretrained model's vocabulary when it is not
    /// beside the model. <see langword="null"/>: cl100k_base from scratch, the checkpoint's vocab.txt otherwise.</summary>
    public string? VocabularyPath { get; init; }

    /// <summary>Gets whether the BERT tokenizer lower-cases and strips accents, or <see langword="null"/>: yes, or a
    /// pretrained model's sentence_bert_config.json do_lower_case.</summary>
    public bool? LowerCase { get; init; }

    /// <summary>Gets a tokenizer instance for a new encoder (its models cannot be saved), or <see langword="null"/>.</summary>
    public Tokenizer? Tokenizer { get; init; }

    /// <summary>Gets where the model runs.</summary>
    public DeviceKind Device { get; init; }

    /// <summary>Gets the seed of new weights (a new encoder, a projection), or <see langword="null"/> for TorchSharp's generator.</summary>
    public long? Seed { get; init; }

    /// <summary>Gets a value indicating whether a Transformer's attention uses libtorch's fused kernel where dropout is
    /// inactive (<see cref="TransformerShape.FusedAttention"/>; the benchmarks turn it off).</summary>
    public bool FusedAttention { get; init; } = true;

    /// <summary>Gets a value indicating whether the model starts from a pretrained checkpoint.</summary>
    public bool IsPretrained => PretrainedModelPath is not null;

    /// <summary>Throws naming the first invalid setting (by the <c>ContrastiveEmbeddingOptions</c> name), whatever the data.</summary>
    /// <exception cref="ArgumentException">A setting is invalid, or two contradict each other.</exception>
    public void Validate() => Validate(IsPretrained);

    /// <summary>As <see cref="Validate()"/>, for a model that starts from a checkpoint or not (a checkpoint handed over
    /// as streams has no <see cref="PretrainedModelPath"/>).</summary>
    /// <param name="pretrained">Whether the model starts from a checkpoint.</param>
    /// <exception cref="ArgumentException">A setting is invalid, or two contradict each other.</exception>
    public void Validate(bool pretrained)
    {
        if (Tokenizer is not null && VocabularyPath is not null)
        {
            throw new ArgumentException("Set at most one of Tokenizer and VocabularyPath.", nameof(VocabularyPath));
        }

        if (!Enum.IsDefined(EncoderKind))
        {
            throw new ArgumentOutOfRangeException(nameof(EncoderKind), EncoderKind, "Unknown encoder kind.");
        }

        if (!Enum.IsDefined(Device))
        {
            throw new ArgumentOutOfRangeException(nameof(Device), Device, "Unknown device kind.");
        }

        if (Pooling is { } pooling && !Enum.IsDefined(pooling))
        {
            throw new ArgumentOutOfRangeException(nameof(Pooling), pooling, "Expected Mean, Cls or Max.");
        }

        var newStatic = !pretrained && EncoderKind == EncoderKind.Static;
        if (Pooling is { } chosen && chosen != PoolingMode.Mean && newStatic)
        {
            throw new ArgumentException(
                $"Pooling {Pooling} needs EncoderKind.Transformer: the static encoder always takes the mean of its token embeddings.", nameof(Pooling));
        }

        if (!CompactVocabulary && Tokenizer is not null && !pretrained)
        {
            throw new ArgumentException(
                "CompactVocabulary = false needs a tokenizer of known vocabulary size: set VocabularyPath or use the built-in cl100k_base tokenizer, not a Tokenizer instance.",
                nameof(CompactVocabulary));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Layers, nameof(Layers));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Heads, nameof(Heads));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Width, nameof(Width));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(FeedForwardWidth, nameof(FeedForwardWidth));
        if (Width % Heads != 0)
        {
            throw new ArgumentException($"Heads ({Heads}) must divide Width ({Width}).", nameof(Heads));
        }

        if (MaxTokens is { } maxTokens)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxTokens, nameof(MaxTokens));
            if (maxTokens < 2 && (VocabularyPath is not null || pretrained))
            {
                throw new ArgumentOutOfRangeException(nameof(MaxTokens), maxTokens, "MaxTokens must be at least 2 with a BERT vocabulary: every text starts with [CLS] and ends with [SEP].");
            }
        }

        if (EncoderKind == EncoderKind.Transformer && !pretrained)
        {
            // A new Transformer's position table is MaxTokens long; a pretrained model's is checked when it is read.
            AttentionBudget.CheckMaxTokens(MaxTokens ?? DefaultMaxTokens, AttentionBudget.MaxPositions, Heads, nameof(MaxTokens));
        }

        if (EmbeddingDimension is { } dimension)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension, nameof(EmbeddingDimension));
        }

        if (TruncatedDimension is { } truncated)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(truncated, nameof(TruncatedDimension));

            // A new encoder's dimension is known now; a pretrained one's is checked when it is read.
            if (!pretrained && truncated > (EmbeddingDimension ?? Width))
            {
                throw new ArgumentOutOfRangeException(nameof(TruncatedDimension), truncated,
                    $"TruncatedDimension ({truncated}) is above the model's dimension ({EmbeddingDimension ?? Width}, EmbeddingDimension or Width).");
            }
        }

        TransformerShape.CheckRate(Dropout, nameof(Dropout));
    }
}
