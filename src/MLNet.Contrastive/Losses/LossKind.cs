namespace MLNet.Contrastive.Losses;

/// <summary>The contrastive losses the estimator trains with (<c>ContrastiveEmbeddingOptions.Loss</c>); each names the loss class it builds.</summary>
public enum LossKind
{
    /// <summary>One-way InfoNCE (query to documents): <see cref="InfoNceLoss"/> with <c>Symmetric = false</c>.</summary>
    InfoNce,

    /// <summary>Symmetric InfoNCE (query to documents and positive to queries): <see cref="InfoNceLoss"/> with <c>Symmetric = true</c>.</summary>
    SymmetricInfoNce,

    /// <summary>Decoupled contrastive loss (Yeh et al. 2021): <see cref="DecoupledContrastiveLoss"/>.</summary>
    Dcl,

    /// <summary>Decoupled contrastive loss with the von Mises-Fisher positive weighting: <see cref="DecoupledContrastiveLoss"/> with <c>Weighted = true</c>.</summary>
    Dclw,
}
