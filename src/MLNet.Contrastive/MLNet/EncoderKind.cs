namespace MLNet.Contrastive.MLNet;

/// <summary>The architecture of the text encoder a <see cref="ContrastiveEmbeddingEstimator"/> trains.</summary>
public enum EncoderKind
{
    /// <summary>A Transformer encoder with mean pooling.</summary>
    Transformer,

    /// <summary>A static (bag of token embeddings) encoder with mean pooling: fast, no context.</summary>
    Static,
}
