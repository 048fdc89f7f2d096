using System.Text.Json;
using MLNet.Contrastive.Encoders;

namespace MLNet.Contrastive.Interop.HuggingFace;

/// <summary>
/// Imports BERT-family weights from a local Hugging Face checkpoint: <c>config.json</c>, <c>model.safetensors</c>
/// (F32, F16 or BF16; names with or without the <c>bert.</c> prefix) and <c>vocab.txt</c>. Nothing is downloaded.
/// </summary>
/// <remarks>Supported configurations and ignored tensors are listed in docs/encoders.md.</remarks>
internal static class BertCheckpoint
{
    /// <summary>The weights file name inside a checkpoint directory.</summary>
    public const string WeightsFileName = "model.safetensors";

    /// <summary>The configuration file name inside a checkpoint directory.</summary>
    public const string ConfigFileName = "config.json";

    /// <summary>The vocabulary file name inside a checkpoint directory.</summary>
    public const string VocabularyFileName = "vocab.txt";

    /// <summary>Reads a Hugging Face BERT <c>config.json</c> into encoder options (mean pooling, no projection).</summary>
    /// <param name="configPath">The config.json.</param>
    /// <returns>The options; adjust pooling, projection or normalisation with <c>with</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="configPath"/> is null.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not JSON, or a required key is missing or invalid (the message names file and key).</exception>
    /// <exception cref="NotSupportedException">The configuration uses an activation or position embedding this encoder lacks.</exception>
    public static TransformerShape ReadConfig(string configPath)
    {
        ArgumentNullException.ThrowIfNull(configPath);
        if (!File.Exists(configPath))
        {
            throw new FileNotFoundException($"The configuration file '{configPath}' does not exist.", configPath);
        }

        using var json = ParseConfig(configPath);
        var root = json.RootElement;
        int Int(string key, int? fallback = null) =>
            root.TryGetProperty(key, out var v) && v.TryGetInt32(out var i) ? i
            : fallback ?? throw new InvalidDataException($"'{configPath}': the integer '{key}' is missing or invalid.");
        double Real(string key, double fallback) =>
            !root.TryGetProperty(key, out var v) ? fallback
            : v.TryGetDouble(out var d) ? d : throw new InvalidDataException($"'{configPath}': '{key}' is not a number.");
        string Text(string key, string fallback) => root.TryGetProperty(key, out var v) ? v.GetString() ?? fallback : fallback;

        if (Text("hidden_act", "gelu") != "gelu")
        {
            throw new NotSupportedException($"'{configPath}': hidden_act '{Text("hidden_act", "")}' is not supported; only 'gelu' (exact erf GELU) is.");
        }

        if (Text("position_embedding_type", "absolute") != "absolute")
        {
            throw new NotSupportedException($"'{configPath}': position_embedding_type '{Text("position_embedding_type", "")}' is not supported; only 'absolute' is.");
        }

        var options = new TransformerShape
        {
            VocabularySize = Int("vocab_size"),
            HiddenSize = Int("hidden_size"),
            LayerCount = Int("num_hidden_layers"),
            HeadCount = Int("num_attention_heads"),
            FeedForwardSize = Int("intermediate_size"),
            MaxLength = Int("max_position_embeddings"),
            TokenTypeCount = Int("type_vocab_size", 2),
            LayerNormEpsilon = Real("layer_norm_eps", 1e-12),
            Dropout = Real("hidden_dropout_prob", 0.1),
            AttentionDropout = Real("attention_probs_dropout_prob", 0.1),
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"'{configPath}': invalid configuration: {e.Message}", e);
        }

        return options;
    }

    /// <summary>Copies the weights of a BERT safetensors file into an encoder of the matching shape.</summary>
    /// <param name="encoder">The encoder; its <c>projection.*</c> (if any) is not in BERT checkpoints and keeps its values.</param>
    /// <param name="safetensorsPath">The weights.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is malformed, or tensors are missing, unexpected or wrongly shaped (all named in one message).</exception>
    public static void LoadWeights(TransformerEncoder encoder, string safetensorsPath)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(safetensorsPath);
        var tensors = MapNames(SafetensorsReader.Read(safetensorsPath), $"'{safetensorsPath}'");
        TensorData.LoadInto(encoder, tensors, $"'{safetensorsPath}'", name => name.StartsWith("projection.", StringComparison.Ordinal));
    }

    /// <summary>
    /// Maps checkpoint tensor names to this encoder's: drops the <c>bert.</c> prefix and the tensors the encoder does not
    /// use (pooler, pre-training heads, position ids). Shared by the safetensors and the ONNX import.
    /// </summary>
    /// <exception cref="InvalidDataException">A tensor appears both with and without the prefix.</exception>
    internal static Dictionary<string, TensorData> MapNames(IEnumerable<KeyValuePair<string, TensorData>> checkpoint, string source)
    {
        var tensors = new Dictionary<string, TensorData>(StringComparer.Ordinal);
        foreach (var (name, data) in checkpoint)
        {
            var local = name.StartsWith("bert.", StringComparison.Ordinal) ? name["bert.".Length..] : name;
            if (IsIgnored(local))
            {
                continue;
            }

            if (!tensors.TryAdd(local, data))
            {
                throw new InvalidDataException($"{source}: tensor '{local}' appears both with and without the 'bert.' prefix.");
            }
        }

        return tensors;
    }

    /// <summary>Reads a checkpoint directory's config.json and model.safetensors, and checks that the sizes the
    /// configuration declares are those of the tensors present before anything of those sizes is allocated.</summary>
    /// <exception cref="InvalidDataException">A file is malformed, or config.json declares sizes the weights do not have (both named).</exception>
    internal static PretrainedWeights ReadWeights(string directory)
    {
        var configPath = Path.Combine(directory, ConfigFileName);
        var shape = ReadConfig(configPath);
        var path = Path.Combine(directory, WeightsFileName);
        var tensors = MapNames(SafetensorsReader.Read(path), $"'{path}'");
        CheckDeclaredSizes(shape, tensors, configPath, path);
        return new PretrainedWeights(shape, null, tensors, $"'{path}'");
    }

    // A forged or mismatched config.json (vocab_size 20,000,000) would otherwise allocate its tables before failing.
    private static void CheckDeclaredSizes(TransformerShape shape, IReadOnlyDictionary<string, TensorData> tensors, string configPath, string path)
    {
        void Expect(string tensor, string declared, params long[] dims)
        {
            if (!tensors.TryGetValue(tensor, out var data) || !data.Shape.SequenceEqual(dims))
            {
                throw new InvalidDataException(
                    $"'{configPath}' declares {declared} ([{string.Join(", ", dims)}]), but '{path}' " +
                    (data is null ? $"has no tensor '{tensor}'." : $"holds '{tensor}' as [{string.Join(", ", data.Shape)}]: the configuration does not belong to these weights."));
            }
        }

        var (vocabulary, hidden) = (shape.VocabularySize, shape.HiddenSize);
        Expect(PretrainedWeights.WordEmbeddings, "vocab_size and hidden_size", vocabulary, hidden);
        Expect(PretrainedWeights.PositionEmbeddings, "max_position_embeddings and hidden_size", shape.MaxLength, hidden);
        Expect("embeddings.token_type_embeddings.weight", "type_vocab_size and hidden_size", shape.TokenTypeCount, hidden);
        var layers = tensors.Keys.Where(k => k.StartsWith("encoder.layer.", StringComparison.Ordinal)).Select(k => k.Split('.')[2]).Distinct().Count();
        if (layers != shape.LayerCount)
        {
            throw new InvalidDataException($"'{configPath}' declares num_hidden_layers {shape.LayerCount}, but '{path}' holds {layers} layers.");
        }

        if (layers > 0)
        {
            Expect("encoder.layer.0.intermediate.dense.bias", "intermediate_size", shape.FeedForwardSize);
        }
    }

    /// <summary>Tensors of BERT checkpoints that this encoder does not use: the pooler, pre-training heads, position ids.</summary>
    internal static bool IsIgnored(string name) =>
        name.StartsWith("pooler.", StringComparison.Ordinal)
        || name.StartsWith("cls.", StringComparison.Ordinal)
        || name == "embeddings.position_ids";

    private static JsonDocument ParseConfig(string configPath)
    {
        try
        {
            var document = JsonDocument.Parse(File.ReadAllBytes(configPath));
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? document
                : throw new InvalidDataException($"'{configPath}' is not a checkpoint configuration: the JSON is not an object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{configPath}' is not valid JSON: {e.Message}", e);
        }
    }
}
