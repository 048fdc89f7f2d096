using static TorchSharp.torch;

namespace MLNet.Contrastive.Losses;

/// <summary>
/// Decoupled contrastive loss, DCL, and its weighted form DCLW (Yeh et al. 2021, "Decoupled Contrastive Learning",
/// arXiv 2110.06848): InfoNCE with the positive removed from the softmax denominator.
/// </summary>
/// <remarks>
/// <para>DCL, for query <c>i</c> with positive <c>p(i) = i(1+k)</c>:
/// <c>loss_i = -s(q_i, d_p(i))/t + logsumexp_{j != p(i)} s(q_i, d_j)/t</c>, averaged over the <c>B</c> queries
/// (<c>j</c> ranges over the unmasked documents of the batch, the query's own hard negatives included).</para>
/// <para>DCLW (<see cref="Weighted"/>) multiplies the positive term by the paper's negative von Mises-Fisher weight
/// <c>w_i = 2 - exp(s_ii/sigma) / E_j[exp(s_jj/sigma)] = 2 - B exp(s_ii/sigma) / sum_j exp(s_jj/sigma)</c>, where
/// <c>s_ii = s(q_i, d_p(i))</c> and <c>sigma</c> = <see cref="Sigma"/> (paper default 0.5), so pairs that are already
/// close weigh less: <c>loss_i = -w_i s_ii/t + logsumexp_{j != p(i)} s_ij/t</c>. The weights average to 1. They are
/// treated as constants (computed on detached similarities, no gradient through <c>w</c>), as in the Lightly
/// implementation of the paper's weighting.</para>
/// <para>Symmetric (<see cref="ContrastiveLoss.Symmetric"/>): the mean with the same loss from each positive to the
/// <c>B</c> queries (query <c>i</c> left out of positive <c>i</c>'s denominator), with the same weights.</para>
/// <para>Every row needs a negative: with groups, a group that covers the whole batch and no hard negatives is an error.</para>
/// </remarks>
public sealed class DecoupledContrastiveLoss : ContrastiveLoss
{
    private readonly double sigma = 0.5;

    /// <summary>Initializes a new instance of the <see cref="DecoupledContrastiveLoss"/> class.</summary>
    /// <param name="temperature">The temperature, fixed or learnable.</param>
    /// <exception cref="ArgumentNullException"><paramref name="temperature"/> is null.</exception>
    public DecoupledContrastiveLoss(Temperature temperature)
        : base(temperature)
    {
    }

    /// <summary>Gets a value indicating whether the positive term carries the DCLW weight. Default is <see langword="false"/>.</summary>
    public bool Weighted { get; init; }

    /// <summary>Gets the scale <c>sigma</c> of the DCLW weighting. Default is 0.5 (the paper's).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a positive finite number.</exception>
    public double Sigma
    {
        get => sigma;
        init
        {
            if (!(value > 0) || double.IsInfinity(value))
            {
                throw new ArgumentOutOfRangeException(nameof(Sigma), value, "Sigma must be a positive finite number.");
            }

            sigma = value;
        }
    }

    /// <inheritdoc />
    /// <inheritdoc />
    internal override string Description => base.Description + string.Create(System.Globalization.CultureInfo.InvariantCulture, $", weighted {Weighted}, sigma {Sigma:R}");

    private protected override bool ExcludesPositiveFromDenominator => true;

    /// <inheritdoc />
    private protected override Tensor? PositiveWeights(Tensor positiveSimilarities)
    {
        if (!Weighted)
        {
            return null;
        }

        var batch = positiveSimilarities.shape[0];
        return 2.0 - (batch * (positiveSimilarities / sigma).softmax(0));
    }
}
