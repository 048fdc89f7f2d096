using MLNet.Contrastive.Text;

namespace MLNet.Contrastive.Encoders;

/// <summary>Building a model from <see cref="EmbeddingModelOptions"/>.</summary>
public sealed partial class EmbeddingModel
{
    /// <summary>The maximum tokens per text of a model trained from scratch when none is chosen.</summary>
    public const int DefaultMaxTokens = 128;

    /// <summary>
    /// Builds a model: from a local pretrained model (folder or ONNX file) when <see cref="EmbeddingModelOptions.PretrainedPath"/> is set,
    /// otherwise a freshly initialised encoder over the chosen tokenizer, compacted to the ids of
    /// <paramref name="trainingTexts"/> when <see cref="EmbeddingModelOptions.CompactVocabulary"/> is on.
    /// </summary>
    /// <param name="options">What to build (not modified).</param>
    /// <param name="trainingTexts">The training texts, for vocabulary compaction; null for none.</param>
    /// <returns>The model.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is invalid or the options contradict each other (the message names them).</exception>
    /// <exception cref="FileNotFoundException">A vocabulary or checkpoint file is missing.</exception>
    /// <exception cref="InvalidDataException">A checkpoint file is malformed or its weights do not fit.</exception>
    /// <exception cref="NotSupportedException">The checkpoint's configuration is not supported.</exception>
    /// <exception cref="InvalidOperationException">libtorch cannot be loaded (see <see cref="TorchRuntime.EnsureLoaded"/>).</exception>
    public static EmbeddingModel Create(EmbeddingModelOptions options, IEnumerable<string>? trainingTexts = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        TorchRuntime.EnsureLoaded();
        if (options.PretrainedPath is { } pretrained)
        {
            return CreatePretrained(options, pretrained);
        }

        var tokenizer = CreateTokenizer(options);
        var sequences = options.CompactVocabulary && trainingTexts is not null
            ? trainingTexts.Select(tokenizer.Encode)
            : null;
        return Create(options, tokenizer, sequences);
    }

    /// <summary>
    /// Builds a freshly initialised model over <paramref name="tokenizer"/>, compacted to the ids of
    /// <paramref name="trainingSequences"/> (already tokenized, before any vocabulary mapping) when
    /// <see cref="EmbeddingModelOptions.CompactVocabulary"/> is on. <see cref="EmbeddingModelOptions.VocabularyPath"/>,
    /// <see cref="EmbeddingModelOptions.LowerCase"/> and <see cref="EmbeddingModelOptions.PretrainedPath"/> are not used.
    /// </summary>
    /// <param name="options">What to build (not modified).</param>
    /// <param name="tokenizer">The tokenizer.</param>
    /// <param name="trainingSequences">The tokenizer ids of the training texts, for vocabulary compaction; null for none.</param>
    /// <returns>The model.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or <paramref name="tokenizer"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is invalid (the message names it).</exception>
    public static EmbeddingModel Create(EmbeddingModelOptions options, TextTokenizer tokenizer, IEnumerable<int[]>? trainingSequences)
    {
        ArgumentNullException.ThrowIfNull(options);
        TorchRuntime.EnsureLoaded();
        ArgumentNullException.ThrowIfNull(tokenizer);
        VocabularyMap? map = null;
        if (options.CompactVocabulary && trainingSequences is not null)
        {
            map = VocabularyMap.Build(trainingSequences);
        }

        var rows = map?.Count ?? tokenizer.VocabularySize;
        var pooling = options.Pooling ?? PoolingMode.Mean;
        CheckClsToken(pooling, tokenizer, options.Encoder);
        TextEncoder encoder = options.Encoder switch
        {
            EncoderKind.Transformer => new TransformerEncoder(new TransformerShape
            {
                VocabularySize = rows, HiddenSize = options.HiddenSize, LayerCount = options.LayerCount,
                HeadCount = options.HeadCount, FeedForwardSize = options.FeedForwardSize, MaxLength = tokenizer.MaxTokens,
                Dropout = options.Dropout, AttentionDropout = options.Dropout, Pooling = pooling,
                OutputDimension = options.OutputDimension, Normalize = options.Normalize ?? false, Seed = options.Seed,
            }),
            EncoderKind.Static => new StaticEncoder(new StaticShape
            {
                VocabularySize = rows, EmbeddingSize = options.HiddenSize, OutputDimension = options.OutputDimension,
                Normalize = options.Normalize ?? false, Seed = options.Seed,
            }),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Encoder, "EmbeddingModelOptions.Encoder: expected Transformer or Static."),
        };
        return Own(encoder, e => new EmbeddingModel(tokenizer, e, map, options.Device));
    }

    /// <summary>
    /// Returns the tokenizer <see cref="Create(EmbeddingModelOptions, IEnumerable{string})"/> builds for
    /// <paramref name="options"/>: a pretrained model's vocab.txt (this reads the whole model), else
    /// <see cref="EmbeddingModelOptions.VocabularyPath"/>, else cl100k_base.
    /// </summary>
    /// <param name="options">The options (not modified).</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="FileNotFoundException">A vocabulary or checkpoint file is missing.</exception>
    /// <exception cref="ArgumentException">A vocabulary file is malformed (the message names file and line), or an option does not fit the pretrained model.</exception>
    /// <exception cref="InvalidDataException">A pretrained model's file is malformed.</exception>
    public static TextTokenizer CreateTokenizer(EmbeddingModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.PretrainedPath is not null)
        {
            using var model = Create(options);
            return model.Tokenizer;
        }

        var maxTokens = options.MaxTokens ?? DefaultMaxTokens;
        return options.VocabularyPath is { } vocab
            ? TextTokenizer.FromBertVocabulary(vocab, options.LowerCase ?? true, maxTokens)
            : TextTokenizer.Cl100kBase(maxTokens);
    }

    private static void CheckClsToken(PoolingMode pooling, TextTokenizer tokenizer, EncoderKind encoder)
    {
        if (pooling == PoolingMode.Cls && encoder == EncoderKind.Transformer && tokenizer.Kind == TokenizerKind.Cl100kBase)
        {
            throw new ArgumentException(
                "EmbeddingModelOptions.Pooling: Cls pools the first token, which must be a [CLS] token, but the cl100k_base tokenizer has none; use a BERT vocabulary (VocabularyPath) or Mean/Max pooling.",
                nameof(EmbeddingModelOptions.Pooling));
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
