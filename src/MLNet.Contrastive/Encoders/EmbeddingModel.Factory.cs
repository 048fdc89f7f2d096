using MLNet.Contrastive.Text;

namespace MLNet.Contrastive.Encoders;

/// <summary>Building a model from an <see cref="EncoderSpec"/>: the one factory of encoders by kind.</summary>
public sealed partial class EmbeddingModel
{
    /// <summary>
    /// Builds a model: from a local pretrained model (folder or ONNX file) when <see cref="EncoderSpec.PretrainedModelPath"/> is
    /// set, otherwise a freshly initialised encoder over the spec's tokenizer, compacted to the ids of
    /// <paramref name="trainingTexts"/> when <see cref="EncoderSpec.CompactVocabulary"/> is on.
    /// </summary>
    /// <param name="spec">What to build (validated by the caller).</param>
    /// <param name="trainingTexts">The training texts, for vocabulary compaction; null for none.</param>
    /// <returns>The model.</returns>
    /// <exception cref="ArgumentException">The spec does not fit the tokenizer or the checkpoint (the message names the option).</exception>
    /// <exception cref="FileNotFoundException">A vocabulary or checkpoint file is missing.</exception>
    /// <exception cref="InvalidDataException">A checkpoint file is malformed or its weights do not fit.</exception>
    /// <exception cref="NotSupportedException">The checkpoint's configuration is not supported.</exception>
    /// <exception cref="InvalidOperationException">libtorch cannot be loaded (see <see cref="TorchRuntime.EnsureLoaded"/>).</exception>
    internal static EmbeddingModel Create(EncoderSpec spec, IEnumerable<string>? trainingTexts = null)
    {
        TorchRuntime.EnsureLoaded();
        if (spec.IsPretrained)
        {
            return FromCheckpoint(spec);
        }

        var tokenizer = CreateTokenizer(spec);
        var sequences = spec.CompactVocabulary && trainingTexts is not null
            ? trainingTexts.Select(tokenizer.Encode)
            : null;
        return Create(spec, tokenizer, sequences);
    }

    /// <summary>
    /// Builds a freshly initialised model of <paramref name="spec"/>'s shape over <paramref name="tokenizer"/>, compacted
    /// to the ids of <paramref name="trainingSequences"/> (already tokenized, before any vocabulary mapping) when
    /// <see cref="EncoderSpec.CompactVocabulary"/> is on.
    /// </summary>
    /// <param name="spec">The shape (its tokenizer and checkpoint settings are not used).</param>
    /// <param name="tokenizer">The tokenizer.</param>
    /// <param name="trainingSequences">The tokenizer ids of the training texts, for vocabulary compaction; null for none.</param>
    /// <returns>The model.</returns>
    /// <exception cref="ArgumentException">Cls pooling over a tokenizer without a [CLS] token.</exception>
    internal static EmbeddingModel Create(EncoderSpec spec, TextTokenizer tokenizer, IEnumerable<int[]>? trainingSequences)
    {
        TorchRuntime.EnsureLoaded();
        var map = spec.CompactVocabulary && trainingSequences is not null ? VocabularyMap.Build(trainingSequences) : null;
        var rows = map?.Count ?? tokenizer.VocabularySize;
        var pooling = spec.Pooling ?? PoolingMode.Mean;
        CheckClsToken(pooling, tokenizer, spec.EncoderKind);
        var projection = spec.EmbeddingDimension is { } d && d != spec.Width ? d : (int?)null;
        TextEncoder encoder = spec.EncoderKind switch
        {
            EncoderKind.Transformer => new TransformerEncoder(new TransformerShape
            {
                VocabularySize = rows, HiddenSize = spec.Width, LayerCount = spec.Layers,
                HeadCount = spec.Heads, FeedForwardSize = spec.FeedForwardWidth, MaxLength = tokenizer.MaxTokens,
                Dropout = spec.Dropout, AttentionDropout = spec.Dropout, Pooling = pooling,
                OutputDimension = projection, Normalize = spec.Normalize ?? false, Seed = spec.Seed, FusedAttention = spec.FusedAttention,
            }),
            EncoderKind.Static => new StaticEncoder(new StaticShape
            {
                VocabularySize = rows, EmbeddingSize = spec.Width, OutputDimension = projection,
                Normalize = spec.Normalize ?? false, Seed = spec.Seed,
            }),
            _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.EncoderKind, "EncoderKind: expected Transformer or Static."),
        };
        return Own(encoder, e => new EmbeddingModel(tokenizer, e, map, spec.Device, spec.TruncatedDimension));
    }

    /// <summary>
    /// Returns the tokenizer <see cref="Create(EncoderSpec, IEnumerable{string})"/> builds for <paramref name="spec"/>: a
    /// pretrained model's vocab.txt (this reads the whole model), else the spec's tokenizer instance (its embedding table
    /// is always compacted, so its size is not needed), else <see cref="EncoderSpec.VocabularyPath"/>, else cl100k_base.
    /// </summary>
    /// <param name="spec">The spec.</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="FileNotFoundException">A vocabulary or checkpoint file is missing.</exception>
    /// <exception cref="ArgumentException">A vocabulary file is malformed (the message names file and line), or an option does not fit the pretrained model.</exception>
    /// <exception cref="InvalidDataException">A pretrained model's file is malformed.</exception>
    internal static TextTokenizer CreateTokenizer(EncoderSpec spec)
    {
        if (spec.IsPretrained)
        {
            using var model = Create(spec);
            return model.Tokenizer;
        }

        var maxTokens = spec.MaxTokens ?? EncoderSpec.DefaultMaxTokens;
        if (spec.Tokenizer is { } tokenizer)
        {
            return TextTokenizer.FromTokenizer(tokenizer, int.MaxValue, maxTokens);
        }

        return spec.VocabularyPath is { } vocab
            ? TextTokenizer.FromBertVocabulary(vocab, spec.LowerCase ?? true, maxTokens)
            : TextTokenizer.Cl100kBase(maxTokens);
    }

    private static void CheckClsToken(PoolingMode pooling, TextTokenizer tokenizer, EncoderKind encoder)
    {
        if (pooling == PoolingMode.Cls && encoder == EncoderKind.Transformer && tokenizer.Kind == TokenizerKind.Cl100kBase)
        {
            throw new ArgumentException(
                "Pooling: Cls pools the first token, which must be a [CLS] token, but the cl100k_base tokenizer has none; use a BERT vocabulary (VocabularyPath) or Mean/Max pooling.",
                nameof(EncoderSpec.Pooling));
        }
    }

    private static EmbeddingModel Own(TextEncoder encoder, Func<TextEncoder, EmbeddingModel> build)
    {
        try
        {
            return build(encoder);
        }
        catch
        {
            encoder.Dispose();
            throw;
        }
    }
}
