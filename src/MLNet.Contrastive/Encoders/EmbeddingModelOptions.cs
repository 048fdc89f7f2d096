namespace MLNet.Contrastive.Encoders;

/// <summary>What <see cref="EmbeddingModel.Create(EmbeddingModelOptions, IEnumerable{string})"/> builds: encoder, tokenizer, vocabulary compaction, device.</summary>
public sealed class EmbeddingModelOptions
{
    /// <summary>Gets or sets the encoder kind. Default is <see cref="EncoderKind.Transformer"/>.</summary>
    public EncoderKind Encoder { get; set; } = EncoderKind.Transformer;

    /// <summary>Gets or sets the width of token states (transformer) or embeddings (static). Default is 256.</summary>
    public int HiddenSize { get; set; } = 256;

    /// <summary>Gets or sets the number of transformer layers. Default is 4.</summary>
    public int LayerCount { get; set; } = 4;

    /// <summary>Gets or sets the number of attention heads (must divide <see cref="HiddenSize"/>). Default is 4.</summary>
    public int HeadCount { get; set; } = 4;

    /// <summary>Gets or sets the transformer feed-forward width. Default is 1024.</summary>
    public int FeedForwardSize { get; set; } = 1024;

    /// <summary>Gets or sets the transformer dropout (embeddings, sub-layers and attention). Default is 0.1.</summary>
    public double Dropout { get; set; } = 0.1;

    /// <summary>
    /// Gets or sets the transformer pooling. Default is <see langword="null"/>: <see cref="PoolingMode.Mean"/> from
    /// scratch; for a pretrained model what its sentence-transformers configuration says (mean when it says nothing).
    /// </summary>
    public PoolingMode? Pooling { get; set; }

    /// <summary>
    /// Gets or sets the size of an optional projection after pooling; null for none. For a pretrained model a value equal
    /// to its hidden size also means none. Default is null.
    /// </summary>
    public int? OutputDimension { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether embeddings are L2-normalised. Default is <see langword="null"/>: not from
    /// scratch; for a pretrained model, whether its sentence-transformers configuration has a Normalize module (not when it says nothing).
    /// </summary>
    public bool? Normalize { get; set; }

    /// <summary>
    /// Gets or sets the maximum tokens per text, special tokens included (from scratch also the transformer's position
    /// count). Default is <see langword="null"/>: 128 from scratch; for a pretrained model its sentence_bert_config.json
    /// max_seq_length, else its position count (512 for BERT). A pretrained model takes at most its position count.
    /// </summary>
    public int? MaxTokens { get; set; }

    /// <summary>Gets or sets a BERT vocab.txt to tokenize with; null uses tiktoken cl100k_base (or the checkpoint's vocab.txt). Default is null.</summary>
    public string? VocabularyPath { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether the BERT tokenizer lower-cases text and strips accents (uncased models).
    /// Default is <see langword="null"/>: true, or a pretrained model's sentence_bert_config.json do_lower_case.
    /// </summary>
    public bool? LowerCase { get; set; }

    /// <summary>Gets or sets a value indicating whether the embedding table holds only the ids seen in the training texts (plus one unseen row). Needs training texts; not with a pretrained checkpoint. Default is true.</summary>
    public bool CompactVocabulary { get; set; } = true;

    /// <summary>
    /// Gets or sets a local pretrained BERT-family model to start from; null trains from scratch. Either a Hugging Face or
    /// sentence-transformers folder (config.json + model.safetensors + vocab.txt, optionally modules.json, 1_Pooling/,
    /// sentence_bert_config.json; or a model.onnx / onnx/model.onnx instead of the safetensors), or an ONNX file with
    /// vocab.txt beside it or in its parent folder (see docs/pretrained.md). Default is null.
    /// </summary>
    public string? PretrainedPath { get; set; }

    /// <summary>Gets or sets where the model runs. Default is <see cref="DeviceKind.Auto"/>.</summary>
    public DeviceKind Device { get; set; } = DeviceKind.Auto;

    /// <summary>Gets or sets the seed of the initial weights; null uses TorchSharp's global generator. Default is null.</summary>
    public long? Seed { get; set; }
}
