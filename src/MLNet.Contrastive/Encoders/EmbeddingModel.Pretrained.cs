using MLNet.Contrastive.Interop;
using MLNet.Contrastive.Interop.HuggingFace;
using MLNet.Contrastive.Interop.Onnx;
using MLNet.Contrastive.Text;

namespace MLNet.Contrastive.Encoders;

/// <summary>Building a model from a pretrained BERT-family checkpoint: a Hugging Face folder or an ONNX export.</summary>
public sealed partial class EmbeddingModel
{
    /// <summary>The ONNX file name looked for in a pretrained folder (also under <c>onnx/</c>).</summary>
    public const string OnnxFileName = "model.onnx";

    /// <summary>
    /// Builds a model from a BERT-family ONNX export (inputs <c>input_ids</c>, <c>attention_mask</c>, output
    /// <c>last_hidden_state</c>) and its WordPiece vocabulary, both given as streams, for example the manifest resources of
    /// a package. Nothing in the streams says how to pool: set <see cref="EmbeddingModelOptions.Pooling"/> and
    /// <see cref="EmbeddingModelOptions.Normalize"/> as the model was trained (mean pooling, no normalisation otherwise).
    /// </summary>
    /// <param name="onnxModel">The ONNX model (read to its end, not disposed).</param>
    /// <param name="vocabulary">The vocab.txt (read to its end, not disposed).</param>
    /// <param name="options">Pooling, normalisation, projection, MaxTokens, LowerCase, dropout, seed and device; <see cref="EmbeddingModelOptions.PretrainedPath"/> and the size options are not used. Null for the defaults.</param>
    /// <returns>The model.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="onnxModel"/> or <paramref name="vocabulary"/> is null.</exception>
    /// <exception cref="ArgumentException">An option does not fit the model (the message names it and the limit), or the vocabulary is malformed.</exception>
    /// <exception cref="InvalidDataException">The graph is not a BERT-family export, an initializer is missing or mis-shaped, or the vocabulary does not fit the embeddings (named).</exception>
    /// <exception cref="NotSupportedException">The graph uses an activation this encoder lacks.</exception>
    /// <exception cref="InvalidOperationException">libtorch cannot be loaded.</exception>
    public static EmbeddingModel CreatePretrained(Stream onnxModel, Stream vocabulary, EmbeddingModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(onnxModel);
        ArgumentNullException.ThrowIfNull(vocabulary);
        TorchRuntime.EnsureLoaded();
        options ??= new EmbeddingModelOptions();
        var weights = OnnxBertReader.Read(onnxModel, "the ONNX model stream");
        return Build(weights, (lower, max) => TextTokenizer.FromBertVocabulary(vocabulary, lower, max), "the vocabulary stream", SentenceTransformersConfig.Empty, options);
    }

    private static EmbeddingModel CreatePretrained(EmbeddingModelOptions options, string path)
    {
        string root;
        PretrainedWeights weights;
        if (File.Exists(path))
        {
            if (!path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"EmbeddingModelOptions.PretrainedPath '{path}' is a file but not an .onnx model; give a model folder or an .onnx file.", nameof(options));
            }

            root = ModelRoot(path, options);
            weights = ReadOnnx(path);
        }
        else if (Directory.Exists(path))
        {
            root = path;
            var onnx = new[] { Path.Combine(path, OnnxFileName), Path.Combine(path, "onnx", OnnxFileName) }.FirstOrDefault(File.Exists);
            weights = File.Exists(Path.Combine(path, BertCheckpoint.WeightsFileName)) || onnx is null
                ? BertCheckpoint.ReadWeights(path)
                : ReadOnnx(onnx);
        }
        else
        {
            throw new FileNotFoundException($"EmbeddingModelOptions.PretrainedPath '{path}' is neither a folder nor a file.", path);
        }

        var vocabulary = options.VocabularyPath ?? Path.Combine(root, BertCheckpoint.VocabularyFileName);
        return Build(weights, (lower, max) => TextTokenizer.FromBertVocabulary(vocabulary, lower, max), $"'{vocabulary}'", SentenceTransformersConfig.Read(root), options);
    }

    // The folder of an ONNX file's vocab.txt and sentence-transformers files: its own, or its parent (onnx/model.onnx).
    private static string ModelRoot(string onnxPath, EmbeddingModelOptions options)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(onnxPath))!;
        if (options.VocabularyPath is not null || File.Exists(Path.Combine(folder, BertCheckpoint.VocabularyFileName)))
        {
            return folder;
        }

        var parent = Path.GetDirectoryName(folder);
        return parent is not null && File.Exists(Path.Combine(parent, BertCheckpoint.VocabularyFileName))
            ? parent
            : throw new FileNotFoundException(
                $"No {BertCheckpoint.VocabularyFileName} beside the ONNX model '{onnxPath}' nor in its parent folder; put it there or set VocabularyPath.",
                Path.Combine(folder, BertCheckpoint.VocabularyFileName));
    }

    private static PretrainedWeights ReadOnnx(string path)
    {
        using var file = File.OpenRead(path);
        return OnnxBertReader.Read(file, $"'{path}'");
    }

    private static EmbeddingModel Build(
        PretrainedWeights weights,
        Func<bool, int, TextTokenizer> createTokenizer,
        string vocabularySource,
        SentenceTransformersConfig config,
        EmbeddingModelOptions options)
    {
        if (options.Encoder != EncoderKind.Transformer)
        {
            throw new ArgumentException("EmbeddingModelOptions.PretrainedPath needs Encoder = Transformer (BERT checkpoints are transformers).", nameof(options));
        }

        var shape = weights.Shape;
        if (options.MaxTokens is { } asked && asked > shape.MaxLength)
        {
            throw new ArgumentException(
                $"MaxTokens ({asked}) exceeds the limit of the pretrained model {weights.Source}: {shape.MaxLength} positions ('{PretrainedWeights.PositionEmbeddings}' has {shape.MaxLength} rows).",
                nameof(EmbeddingModelOptions.MaxTokens));
        }

        var maxTokens = options.MaxTokens ?? Math.Min(config.MaxSequenceLength ?? shape.MaxLength, shape.MaxLength);
        var tokenizer = createTokenizer(options.LowerCase ?? config.LowerCase ?? true, maxTokens);
        if (tokenizer.VocabularySize > shape.VocabularySize)
        {
            throw new InvalidDataException(
                $"The vocabulary {vocabularySource} has {tokenizer.VocabularySize} tokens but the model {weights.Source} embeds only {shape.VocabularySize} ('{PretrainedWeights.WordEmbeddings}' [{shape.VocabularySize}, {shape.HiddenSize}]); the vocabulary does not belong to this model.");
        }

        var encoder = weights.CreateEncoder(shape with
        {
            Pooling = options.Pooling ?? config.Pooling ?? PoolingMode.Mean,
            Normalize = options.Normalize ?? config.Normalize ?? false,
            OutputDimension = options.OutputDimension is { } d && d != shape.HiddenSize ? d : null,
            Dropout = options.Dropout,
            AttentionDropout = options.Dropout,
            Seed = options.Seed,
        });
        return Own(encoder, e => new EmbeddingModel(tokenizer, e, null, options.Device));
    }
}
