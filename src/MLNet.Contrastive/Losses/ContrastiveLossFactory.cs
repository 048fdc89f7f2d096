namespace MLNet.Contrastive.Losses;

/// <summary>Builds a <see cref="ContrastiveLoss"/> from a <see cref="LossKind"/>.</summary>
internal static class ContrastiveLossFactory
{
    /// <summary>Creates the loss of kind <paramref name="kind"/>.</summary>
    /// <param name="kind">The loss.</param>
    /// <param name="temperature">The temperature, fixed or learnable.</param>
    /// <param name="normalize">Whether embeddings are L2-normalised inside the loss (cosine similarity).</param>
    /// <param name="rowChunkSize">Logit rows per block, or <see langword="null"/> for all at once.</param>
    /// <param name="sigma">The DCLW weighting scale (used by <see cref="LossKind.Dclw"/> only).</param>
    /// <returns>The loss.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="temperature"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is unknown, or <paramref name="rowChunkSize"/>
    /// or <paramref name="sigma"/> is not positive.</exception>
    public static ContrastiveLoss Create(LossKind kind, Temperature temperature, bool normalize = true, int? rowChunkSize = null, double sigma = 0.5)
    {
        ArgumentNullException.ThrowIfNull(temperature);
        return kind switch
        {
            LossKind.InfoNce => new InfoNceLoss(temperature) { Normalize = normalize, RowChunkSize = rowChunkSize },
            LossKind.SymmetricInfoNce => new InfoNceLoss(temperature) { Normalize = normalize, RowChunkSize = rowChunkSize, Symmetric = true },
            LossKind.Dcl => new DecoupledContrastiveLoss(temperature) { Normalize = normalize, RowChunkSize = rowChunkSize },
            LossKind.Dclw => new DecoupledContrastiveLoss(temperature) { Normalize = normalize, RowChunkSize = rowChunkSize, Weighted = true, Sigma = sigma },
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown loss kind."),
        };
    }
}
