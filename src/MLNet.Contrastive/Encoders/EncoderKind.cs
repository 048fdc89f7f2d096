namespace MLNet.Contrastive.Encoders;

/// <summary>Which encoder an <see cref="EmbeddingModel"/> is built with.</summary>
public enum EncoderKind
{
    /// <summary>A BERT-style <see cref="TransformerEncoder"/>.</summary>
    Transformer,

    /// <summary>A bag-of-tokens <see cref="StaticEncoder"/>.</summary>
    Static,
}
