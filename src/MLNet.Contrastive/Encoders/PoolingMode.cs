namespace MLNet.Contrastive.Encoders;

/// <summary>How a <see cref="TransformerEncoder"/> turns its token states into one vector per text.</summary>
public enum PoolingMode
{
    /// <summary>The mean of the token states, padding excluded (exactly padding-invariant).</summary>
    Mean,

    /// <summary>The state of the first token ([CLS] for BERT tokenizers).</summary>
    Cls,

    /// <summary>The element-wise maximum of the token states, padding excluded.</summary>
    Max,
}
