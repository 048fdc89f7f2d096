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

    /// <summary>Gets nested embedding sizes for a Matryoshka loss (<see cref="ContrastiveLoss.MatryoshkaDimensions"/>), or
    /// <see langword="null"/> for the whole embeddings only.</summary>
    public IReadOnlyList<int>? MatryoshkaDimensions { get; init; }

    /// <summary>Gets the weight of each Matryoshka size, or <see langword="null"/> for 1 each.</summary>
    public IReadOnlyList<double>? MatryoshkaWeights { get; init; }

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
        if (MatryoshkaWeights is not null && MatryoshkaDimensions is null)
        {
            throw new ArgumentException("MatryoshkaWeights needs MatryoshkaDimensions: one weight per dimension.", nameof(MatryoshkaWeights));
        }

        if (MatryoshkaWeights is { } weights && weights.Count != MatryoshkaDimensions!.Count)
        {
            throw new ArgumentException(
                $"MatryoshkaWeights has {weights.Count} weights for {MatryoshkaDimensions.Count} MatryoshkaDimensions: give one per dimension.", nameof(MatryoshkaWeights));
        }

        // The loss's own checks under the option's name; no loss is built here: options are checked before libtorch loads.
        if (MatryoshkaDimensions is not null)
        {
            ContrastiveLoss.CheckMatryoshka(MatryoshkaDimensions, nameof(MatryoshkaDimensions));
        }

        if (MatryoshkaWeights is not null)
        {
            ContrastiveLoss.CheckMatryoshkaWeights(MatryoshkaWeights, nameof(MatryoshkaWeights));
        }
    }

    /// <summary>Creates the temperature module (the caller disposes it when training ends).</summary>
    public Temperature CreateTemperature() =>
        LearnableTemperature ? Losses.Temperature.Learnable(Temperature) : Losses.Temperature.Fixed(Temperature);

    /// <summary>Creates the loss over <paramref name="temperature"/>, on L2-normalised embeddings (cosine similarity).</summary>
    public ContrastiveLoss CreateLoss(Temperature temperature) =>
        Create(Loss, temperature, normalize: true, rowChunkSize: RowChunkSize, matryoshkaDimensions: MatryoshkaDimensions, matryoshkaWeights: MatryoshkaWeights);

    /// <summary>Creates the loss of kind <paramref name="kind"/>: the one place that maps a <see cref="LossKind"/> to a loss.</summary>
    /// <param name="kind">The loss.</param>
    /// <param name="temperature">The temperature, fixed or learnable.</param>
    /// <param name="normalize">Whether embeddings are L2-normalised inside the loss (cosine similarity).</param>
    /// <param name="rowChunkSize">Logit rows per block, or <see langword="null"/> for all at once.</param>
    /// <param name="sigma">The DCLW weighting scale (used by <see cref="LossKind.Dclw"/> only).</param>
    /// <param name="matryoshkaDimensions">Nested embedding sizes, or <see langword="null"/> (<see cref="ContrastiveLoss.MatryoshkaDimensions"/>).</param>
    /// <param name="matryoshkaWeights">Their weights, or <see langword="null"/> for 1 each.</param>
    /// <returns>The loss.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="temperature"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is unknown, or <paramref name="rowChunkSize"/>
    /// or <paramref name="sigma"/> is not positive.</exception>
    public static ContrastiveLoss Create(LossKind kind, Temperature temperature, bool normalize = true, int? rowChunkSize = null, double sigma = 0.5,
        IReadOnlyList<int>? matryoshkaDimensions = null, IReadOnlyList<double>? matryoshkaWeights = null)
    {
        ArgumentNullException.ThrowIfNull(temperature);
        var (m, w) = (matryoshkaDimensions, matryoshkaWeights);
        return kind switch
        {
            LossKind.InfoNce => new InfoNceLoss(temperature) { Normalize = normalize, RowChunkSize = rowChunkSize, MatryoshkaDimensions = m, MatryoshkaWeights = w },
            LossKind.SymmetricInfoNce => new InfoNceLoss(temperature) { Normalize = normalize, RowChunkSize = rowChunkSize, Symmetric = true, MatryoshkaDimensions = m, MatryoshkaWeights = w },
            LossKind.Dcl => new DecoupledContrastiveLoss(temperature) { Normalize = normalize, RowChunkSize = rowChunkSize, MatryoshkaDimensions = m, MatryoshkaWeights = w },
            LossKind.Dclw => new DecoupledContrastiveLoss(temperature) { Normalize = normalize, RowChunkSize = rowChunkSize, Weighted = true, Sigma = sigma, MatryoshkaDimensions = m, MatryoshkaWeights = w },
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown loss kind."),
        };
    }
}
