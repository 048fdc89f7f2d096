namespace MLNet.Contrastive.Encoders;

/// <summary>
/// How <see cref="EmbeddingModel.CreatePretrained(string, PretrainedModelOptions?)"/> reads a pretrained model. Every
/// setting defaults to what the model says; the names are those of <c>ContrastiveEmbeddingOptions</c>, which fine-tunes
/// the same models. Immutable; change with <c>with</c>.
/// </summary>
public sealed record PretrainedModelOptions
{
    /// <summary>Gets how token states are pooled. Default is <see langword="null"/>: what the model's sentence-transformers
    /// configuration (1_Pooling/config.json) says, else mean (an ONNX stream says nothing: set it).</summary>
    public PoolingMode? Pooling { get; init; }

    /// <summary>Gets a value indicating whether the embeddings are L2-normalised. Default is <see langword="null"/>: yes
    /// when the model's modules.json has a Normalize module, else no.</summary>
    public bool? Normalize { get; init; }

    /// <summary>Gets the most tokens per text, special tokens included; longer texts are truncated. At most the model's
    /// position count. Default is <see langword="null"/>: the model's sentence_bert_config.json max_seq_length, else its
    /// position count.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>Gets a value indicating whether the tokenizer lower-cases text and strips accents. Default is
    /// <see langword="null"/>: the model's sentence_bert_config.json do_lower_case, else yes (uncased BERT).</summary>
    public bool? LowerCase { get; init; }

    /// <summary>Gets a vocab.txt to use instead of the one beside the model. Default is <see langword="null"/>.</summary>
    public string? VocabularyPath { get; init; }

    /// <summary>Gets where the model runs. Default is <see cref="DeviceKind.Auto"/>.</summary>
    public DeviceKind Device { get; init; }

    /// <summary>The spec of this model: a pretrained start with these settings.</summary>
    internal EncoderSpec ToSpec(string? path) => new()
    {
        PretrainedModelPath = path, EncoderKind = EncoderKind.Transformer, Pooling = Pooling, Normalize = Normalize, MaxTokens = MaxTokens,
        LowerCase = LowerCase, VocabularyPath = VocabularyPath, Device = Device,
    };
}
