namespace MLNet.Contrastive.Losses;

/// <summary>
/// The loss of a training run: which loss, and its temperature, fixed or learnable. The ML.NET estimator builds one
/// from <c>ContrastiveEmbeddingOptions</c> (same names; these defaults are that class's). Immutable.
/// </summary>
internal sealed record LossSpec
{
    /// <summary>Gets the loss (docs/losses.md).</summary>
    public LossKind Loss { get; init; } = LossKind.InfoNce;

    /// <summary>Gets the softmax temperature: similarities are divided by it.</summary>
    public float Temperature { get; init; } = 0.05f;

    /// <summary>Gets a value indicating whether the temperature is learned, starting from <see cref="Temperature"/>.</summary>
    public bool LearnableTemperature { get; init; }

    /// <summary>Gets how many logit rows the loss computes at once (it bounds the loss stage's memory, not the result).</summary>
    public int RowChunkSize { get; init; } = 256;

    /// <summary>Throws naming the first invalid setting.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The loss is unknown, or the temperature is not a positive finite number.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Loss))
        {
            throw new ArgumentOutOfRangeException(nameof(Loss), Loss, "Unknown loss.");
        }

        Losses.Temperature.CheckPositive(Temperature, nameof(Temperature));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(RowChunkSize, nameof(RowChunkSize));
    }

    /// <summary>Creates the temperature module (the caller disposes it when training ends).</summary>
    public Temperature CreateTemperature() =>
        LearnableTemperature ? Losses.Temperature.Learnable(Temperature) : Losses.Temperature.Fixed(Temperature);

    /// <summary>Creates the loss over <paramref name="temperature"/>, on L2-normalised embeddings (cosine similarity).</summary>
    public ContrastiveLoss CreateLoss(Temperature temperature) => Create(Loss, temperature, normalize: true, rowChunkSize: RowChunkSize);

    /// <summary>Creates the loss of kind <paramref name="kind"/>: the one place that maps a <see cref="LossKind"/> to a loss.</summary>
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
