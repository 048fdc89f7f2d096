using MLNet.Contrastive.Interop;
using MLNet.Contrastive.Interop.HuggingFace;
using MLNet.Contrastive.Interop.Onnx;
using MLNet.Contrastive.Text;

namespace MLNet.Contrastive.Encoders;

/// <summary>Building a model from a pretrained BERT-family checkpoint: a Hugging Face folder or an ONNX export.</summary>
public sealed partial class EmbeddingModel
{
    /// <summary>
    /// Reads a local pretrained BERT-family model: a Hugging Face or sentence-transformers folder (config.json +
    /// model.safetensors + vocab.txt, optionally modules.json, 1_Pooling/, sentence_bert_config.json; or a model.onnx /
    /// onnx/model.onnx instead of the safetensors), or an ONNX file with vocab.txt beside it or in its parent folder
    /// (docs/pretrained.md). The model keeps its pooling, normalisation and maximum length unless
    /// <paramref name="options"/> says otherwise.
    /// </summary>
    /// <param name="path">The folder or the .onnx file.</param>
    /// <param name="options">How to read it; <see langword="null"/> for what the model says.</param>
    /// <returns>The model.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is invalid or does not fit the model (the message names it and the
    /// limit), or <paramref name="path"/> is a file but not an .onnx model.</exception>
    /// <exception cref="FileNotFoundException">The path, a weights file or the vocabulary is missing.</exception>
    /// <exception cref="InvalidDataException">A file is malformed, or the vocabulary does not fit the embeddings (named).</exception>
    /// <exception cref="NotSupportedException">The configuration uses an activation or position embedding this encoder lacks.</exception>
    /// <exception cref="InvalidOperationException">libtorch cannot be loaded.</exception>
    public static EmbeddingModel CreatePretrained(string path, PretrainedModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var spec = (options ?? new PretrainedModelOptions()).ToSpec(path);
        spec.Validate();
        return Create(spec);
    }

    /// <summary>
    /// Builds a model from a BERT-family ONNX export (inputs <c>input_ids</c>, <c>attention_mask</c>, output
    /// <c>last_hidden_state</c>) and its WordPiece vocabulary, both given as streams, for example the manifest resources of
    /// a package. Nothing in the streams says how to pool: set <see cref="PretrainedModelOptions.Pooling"/> and
    /// <see cref="PretrainedModelOptions.Normalize"/> as the model was trained (mean pooling, no normalisation otherwise).
    /// </summary>
    /// <param name="onnxModel">The ONNX model (read to its end, not disposed).</param>
    /// <param name="vocabulary">The vocab.txt (read to its end, not disposed).</param>
    /// <param name="options">Pooling, normalisation, MaxTokens, LowerCase and device (<see cref="PretrainedModelOptions.VocabularyPath"/>
    /// is not used); <see langword="null"/> for the defaults.</param>
    /// <returns>The model.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="onnxModel"/> or <paramref name="vocabulary"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is invalid or does not fit the model (the message names it and the limit), or the vocabulary is malformed.</exception>
    /// <exception cref="InvalidDataException">The graph is not a BERT-family export, an initializer is missing or mis-shaped, or the vocabulary does not fit the embeddings (named).</exception>
    /// <exception cref="NotSupportedException">The graph uses an activation this encoder lacks.</exception>
    /// <exception cref="InvalidOperationException">libtorch cannot be loaded.</exception>
    public static EmbeddingModel CreatePretrained(Stream onnxModel, Stream vocabulary, PretrainedModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(onnxModel);
        ArgumentNullException.ThrowIfNull(vocabulary);
        var spec = (options ?? new PretrainedModelOptions()).ToSpec(path: null) with { VocabularyPath = null };
        spec.Validate(pretrained: true);
        TorchRuntime.EnsureLoaded();
        var weights = OnnxBertReader.Read(onnxModel, "the ONNX model stream");
        return Build(weights, (lower, max) => TextTokenizer.FromBertVocabulary(vocabulary, lower, max), "the vocabulary stream", weights.Settings, spec);
    }

    // A spec whose PretrainedModelPath is set: the folder or file it names.
    private static EmbeddingModel FromCheckpoint(EncoderSpec spec)
    {
        var (weights, vocabulary, config) = PretrainedModelReader.Read(spec.PretrainedModelPath!, spec.VocabularyPath);
        Func<bool, int, TextTokenizer> tokenizer = vocabulary is null
            ? (_, max) => TextTokenizer.Cl100kBase(max)
            : (lower, max) => TextTokenizer.FromBertVocabulary(vocabulary, lower, max);
        return Build(weights, tokenizer, vocabulary is null ? TextTokenizer.Cl100kBaseName : $"'{vocabulary}'", config, spec);
    }

    private static EmbeddingModel Build(
        PretrainedWeights weights,
        Func<bool, int, TextTokenizer> createTokenizer,
        string vocabularySource,
        SentenceTransformersConfig config,
        EncoderSpec spec)
    {
        if (spec.MaxTokens is { } asked && asked > weights.MaxLength)
        {
            throw new ArgumentException(
                $"MaxTokens ({asked}) exceeds the limit of the pretrained model {weights.Source}: {weights.MaxLength} positions ('{PretrainedWeights.PositionEmbeddings}' has {weights.MaxLength} rows).",
                nameof(EncoderSpec.MaxTokens));
        }

        // What the options say, else the folder's sentence-transformers files, else what the file itself says.
        config = new SentenceTransformersConfig(
            config.Pooling ?? weights.Settings.Pooling, config.Normalize ?? weights.Settings.Normalize,
            config.MaxSequenceLength ?? weights.Settings.MaxSequenceLength, config.LowerCase ?? weights.Settings.LowerCase);
        var pooling = spec.Pooling ?? config.Pooling ?? PoolingMode.Mean;
        if (weights.Static is not null && pooling != PoolingMode.Mean)
        {
            throw new ArgumentException($"Pooling {pooling}: the model {weights.Source} is a static encoder, which always takes the mean of its token embeddings.", nameof(EncoderSpec.Pooling));
        }

        // A projection in the file is the model's; one asked for by the options is added only where the file has none.
        var projection = weights.ProjectionDimension ?? (spec.EmbeddingDimension is { } d && d != weights.HiddenSize ? d : null);
        if (weights.ProjectionDimension is { } held && spec.EmbeddingDimension is { } wanted && wanted != held)
        {
            throw new ArgumentException(
                $"EmbeddingDimension ({wanted}): the model {weights.Source} already projects its embeddings to {held} dimensions ('projection.weight').",
                nameof(EncoderSpec.EmbeddingDimension));
        }

        // A checkpoint of many positions (16,384) is read at the longest length one text may have within the attention
        // budget unless MaxTokens says otherwise, and a MaxTokens beyond that budget is refused here, as from scratch.
        var heads = weights.Transformer?.HeadCount;
        if (spec.MaxTokens is { } explicitMax && heads is { } h)
        {
            AttentionBudget.CheckMaxTokens(explicitMax, weights.MaxLength, h, nameof(EncoderSpec.MaxTokens));
        }

        var longest = heads is { } count ? AttentionBudget.LongestText(count) : int.MaxValue;
        var maxTokens = spec.MaxTokens ?? Math.Min(Math.Min(config.MaxSequenceLength ?? weights.MaxLength, weights.MaxLength), longest);
        var tokenizer = createTokenizer(spec.LowerCase ?? config.LowerCase ?? true, maxTokens);
        if (tokenizer.VocabularySize > weights.VocabularySize)
        {
            throw new InvalidDataException(
                $"The vocabulary {vocabularySource} has {tokenizer.VocabularySize} tokens but the model {weights.Source} embeds only {weights.VocabularySize} ('{weights.TableName}' [{weights.VocabularySize}, {weights.HiddenSize}]); the vocabulary does not belong to this model.");
        }

        var encoder = weights.CreateEncoder(pooling, spec.Normalize ?? config.Normalize ?? false, projection, spec.Dropout, spec.Seed, spec.FusedAttention);
        return Own(encoder, e => new EmbeddingModel(tokenizer, e, null, spec.Device, spec.TruncatedDimension ?? weights.TruncatedDimension));
    }
}
