using MLNet.Contrastive.Encoders;
using MLNet.Contrastive.Interop.HuggingFace;

namespace MLNet.Contrastive.Interop;

/// <summary>
/// A pretrained encoder read into memory: its shape (a BERT-family Transformer, or this library's static encoder read
/// back from its own ONNX export), its tensors under the encoder's (Hugging Face) names, and what the file itself says
/// about the model around them.
/// </summary>
/// <param name="Transformer">The Transformer's shape (mean pooling, no projection, no normalisation), or <see langword="null"/>.</param>
/// <param name="Static">The static encoder's shape, or <see langword="null"/>; exactly one of the two is set.</param>
/// <param name="Tensors">The weights by parameter name (prefix <c>bert.</c> removed, pooler and position ids dropped).</param>
/// <param name="Source">The file (or stream description) for messages.</param>
internal sealed record PretrainedWeights(TransformerShape? Transformer, StaticShape? Static, IReadOnlyDictionary<string, TensorData> Tensors, string Source)
{
    /// <summary>The name of the token embedding table, whose rows bound the vocabulary.</summary>
    internal const string WordEmbeddings = TransformerEncoder.WordEmbeddingsName;

    /// <summary>The name of the position embedding table, whose rows bound the sequence length.</summary>
    internal const string PositionEmbeddings = "embeddings.position_embeddings.weight";

    /// <summary>Gets what the file says about pooling, normalisation, length and lower-casing (an export's metadata);
    /// a folder's sentence-transformers files take precedence.</summary>
    public SentenceTransformersConfig Settings { get; init; } = SentenceTransformersConfig.Empty;

    /// <summary>Gets a value indicating whether the file's tokenizer is the built-in cl100k_base (it has no vocab.txt).</summary>
    public bool Cl100kBase { get; init; }

    /// <summary>Gets the size of the prefix of the embeddings the model gives (this library's export of a Matryoshka model), or <see langword="null"/>.</summary>
    public int? TruncatedDimension { get; init; }

    /// <summary>Gets the rows of the token embedding table.</summary>
    public int VocabularySize => Transformer?.VocabularySize ?? Static!.VocabularySize;

    /// <summary>Gets the width of the token states.</summary>
    public int HiddenSize => Transformer?.HiddenSize ?? Static!.EmbeddingSize;

    /// <summary>Gets the positions of the encoder (<see cref="int.MaxValue"/> for the static encoder, which has none).</summary>
    public int MaxLength => Transformer?.MaxLength ?? int.MaxValue;

    /// <summary>Gets the size of the projection the file holds (<c>projection.weight</c>), or <see langword="null"/>.</summary>
    public int? ProjectionDimension => Tensors.TryGetValue("projection.weight", out var projection) ? (int)projection.Shape[0] : null;

    /// <summary>Gets the table a tokenizer id indexes (for messages).</summary>
    public string TableName => Transformer is null ? "embeddings.weight" : WordEmbeddings;

    /// <summary>Builds the encoder with these weights and the given head; a projection not in the file keeps its fresh
    /// initialisation. The one place that makes an encoder of an imported shape.</summary>
    /// <exception cref="InvalidDataException">A tensor is missing or mis-shaped (all named).</exception>
    internal TextEncoder CreateEncoder(PoolingMode pooling, bool normalize, int? outputDimension, double dropout, long? seed, bool fusedAttention)
    {
        TextEncoder encoder = Transformer is { } transformer
            ? new TransformerEncoder(transformer with
            {
                Pooling = pooling, Normalize = normalize, OutputDimension = outputDimension, Dropout = dropout, AttentionDropout = dropout,
                Seed = seed, FusedAttention = fusedAttention,
            })
            : new StaticEncoder(Static! with { Normalize = normalize, OutputDimension = outputDimension, Seed = seed });
        try
        {
            TensorData.LoadInto(encoder, Tensors, Source, name => name.StartsWith("projection.", StringComparison.Ordinal));
            return encoder;
        }
        catch
        {
            encoder.Dispose();
            throw;
        }
    }
}
