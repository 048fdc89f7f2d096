namespace MLNet.Contrastive.MLNet;

/// <summary>The contrastive loss a <see cref="ContrastiveEmbeddingEstimator"/> trains with.</summary>
public enum ContrastiveLossKind
{
    /// <summary>InfoNCE (multiple negatives ranking): each anchor against every positive of the batch.</summary>
    InfoNce,

    /// <summary>InfoNCE in both directions, anchor to positive and positive to anchor, averaged.</summary>
    SymmetricInfoNce,

    /// <summary>Decoupled contrastive loss (Yeh et al. 2022): the positive term is left out of the denominator.</summary>
    Dcl,

    /// <summary>Weighted decoupled contrastive loss: DCL with a von Mises-Fisher weight on the positive term.</summary>
    Dclw,
}
